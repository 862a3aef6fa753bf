// How long polls are woken: by capacity, straight from a local send, by every change that makes a message
// visible, and without a receive script when the queue is known to have nothing visible. Script calls are
// counted with Redis INFO commandstats on a Redis of this file's own.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { Redis } from "ioredis";
import { QueueEngine } from "../../../queue/index.js";
import { WakeHub } from "../../../queue/wake-hub.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

let server: TestRedis;
let redis: Redis;
let stats: Redis;
const engines: QueueEngine[] = [];

before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  stats = new Redis(server.url);
});
after(async () => {
  for (const engine of engines) await engine.close();
  redis.disconnect();
  stats.disconnect();
  await server.stop();
});

function engine(prefix = uniquePrefix("w"), offset = { ms: 0 }): QueueEngine {
  const created = new QueueEngine({ redis, prefix, clock: { offsetMs: () => offset.ms } });
  engines.push(created);
  return created;
}

/** EVAL + EVALSHA calls counted by Redis (ioredis sends a script's first call on a connection as EVAL). */
async function countedScriptCalls(): Promise<number> {
  const info = await stats.info("commandstats");
  const calls = (command: string) =>
    Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return calls("eval") + calls("evalsha");
}

/** Script calls since the last call (then RESETSTAT). Commands the engine issued before are in: the engine's
 * connection is flushed with a PING first. */
async function scriptCalls(): Promise<number> {
  await tick();
  await redis.ping();
  const calls = await countedScriptCalls();
  await stats.config("RESETSTAT");
  return calls;
}

/** Waits until `count` receive scripts ran (each long poll looks once before it waits). */
async function untilScriptCalls(count: number): Promise<void> {
  let seen = 0;
  while (seen < count) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await redis.ping();
    seen = await countedScriptCalls();
  }
  await stats.config("RESETSTAT");
}

test("a send of ten wakes one waiting receiver that takes all ten, not ten receivers for one each", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q" });
  await scriptCalls();
  const controller = new AbortController();
  const receivers = Array.from({ length: 5 }, () =>
    e.receiveMessage({
      queueName: "q",
      maxNumberOfMessages: 10,
      waitTimeSeconds: 20,
      signal: controller.signal,
    }),
  );
  await untilScriptCalls(5);
  await tick();
  await e.sendMessageBatch({
    queueName: "q",
    entries: Array.from({ length: 10 }, (_, i) => ({ id: String(i), body: `m${i}` })),
  });
  const first = await Promise.race(receivers);
  assert.equal(first.messages.length, 10);
  // The send and one receive: the other four stay waiting.
  assert.equal(await scriptCalls(), 2);
  controller.abort();
  const all = await Promise.all(receivers);
  assert.equal(
    all.reduce((n, r) => n + r.messages.length, 0),
    10,
  );
});

test("a consumer back from deleting its batch waits for a wake instead of looking into an empty queue", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q" });
  await e.sendMessage({ queueName: "q", body: "first" });
  const got = await e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  await e.deleteMessage({ queueName: "q", receiptHandle: got.messages[0]!.receiptHandle });
  await scriptCalls();
  const next = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  assert.equal(
    await scriptCalls(),
    0,
    "the queue was left empty and nothing was sent since: no receive script",
  );
  await e.sendMessage({ queueName: "q", body: "second" });
  assert.deepEqual(
    (await next).messages.map((m) => m.body),
    ["second"],
  );
});

test("another engine's send wakes a receiver that is waiting without having looked", async () => {
  const prefix = uniquePrefix("w");
  const receiver = engine(prefix);
  const sender = engine(prefix);
  await receiver.createQueue({ queueName: "q" });
  assert.equal((await receiver.receiveMessage({ queueName: "q", waitTimeSeconds: 1 })).messages.length, 0);
  await scriptCalls();
  const waiting = receiver.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  assert.equal(await scriptCalls(), 0);
  await sender.sendMessage({ queueName: "q", body: "from elsewhere" });
  assert.deepEqual(
    (await waiting).messages.map((m) => m.body),
    ["from elsewhere"],
  );
});

test("a moved clock voids what a receiver knew about the queue being empty", async () => {
  const offset = { ms: 0 };
  const e = engine(uniquePrefix("w"), offset);
  await e.createQueue({ queueName: "q" });
  await e.sendMessage({ queueName: "q", body: "later", delaySeconds: 600 });
  assert.equal((await e.receiveMessage({ queueName: "q", waitTimeSeconds: 1 })).messages.length, 0);
  offset.ms += 601_000;
  // Known empty for 600 s of real time; the clock moved past that, so this receive looks at once.
  assert.deepEqual(
    (await e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 })).messages.map((m) => m.body),
    ["later"],
  );
});

test("ChangeMessageVisibility to 0 wakes a waiting long poll", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "600" } });
  await e.sendMessage({ queueName: "q", body: "again" });
  const held = await e.receiveMessage({ queueName: "q" });
  const waiting = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  await scriptCalls();
  await e.changeMessageVisibility({
    queueName: "q",
    receiptHandle: held.messages[0]!.receiptHandle,
    visibilityTimeout: 0,
  });
  // Without a wake the poll would return empty after 20 s (its only timer is the 600 s visibility).
  assert.deepEqual(
    (await waiting).messages.map((m) => m.body),
    ["again"],
  );
});

test("FIFO: deleting a group's in-flight message wakes a long poll waiting for the group's next one", async () => {
  const e = engine();
  await e.createQueue({
    queueName: "q.fifo",
    attributes: { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "600" },
  });
  await e.sendMessage({ queueName: "q.fifo", body: "one", messageGroupId: "g" });
  await e.sendMessage({ queueName: "q.fifo", body: "two", messageGroupId: "g" });
  const held = await e.receiveMessage({ queueName: "q.fifo" });
  assert.equal(held.messages[0]?.body, "one");
  const waiting = e.receiveMessage({ queueName: "q.fifo", waitTimeSeconds: 20 });
  await scriptCalls();
  await e.deleteMessage({ queueName: "q.fifo", receiptHandle: held.messages[0]!.receiptHandle });
  assert.deepEqual(
    (await waiting).messages.map((m) => m.body),
    ["two"],
  );
});

test("a local send wakes its engine's waiter at once and its publish, coming back, wakes nobody again", async () => {
  const hub = new WakeHub(redis);
  const channel = `${uniquePrefix("w")}:wake`;
  try {
    const lease = await hub.lease(channel);
    const before = lease.version();
    const woken = lease.wait(before, 20_000, 10);
    hub.sent(channel, 1, "token-1");
    await woken;
    assert.equal(lease.version(), before + 1);
    await redis.publish(channel, "1 token-1");
    await redis.publish(channel, "1 from-elsewhere");
    while (lease.version() < before + 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // Pub/sub keeps order: "from-elsewhere" arrived after the echo, which changed nothing.
    assert.equal(lease.version(), before + 2);
    lease.release();
  } finally {
    await hub.close();
  }
});
