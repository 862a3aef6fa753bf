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
  // The last of them may have run after the PING: flush again so its reply (and the wait after it) is in.
  await scriptCalls();
}

test("a send of ten hands all ten to one waiting receiver in its own script, not one each to ten", async () => {
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
  await e.sendMessageBatch({
    queueName: "q",
    entries: Array.from({ length: 10 }, (_, i) => ({ id: String(i), body: `m${i}` })),
  });
  const first = await Promise.race(receivers);
  assert.equal(first.messages.length, 10);
  // Only the send's script ran (it received the messages for the waiter); the other four stay waiting.
  assert.equal(await scriptCalls(), 1);
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

test("handed-off messages are received as a receive script would: count, timestamps, handle, visibility", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q" });
  await scriptCalls();
  const waiting = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20, visibilityTimeout: 0 });
  await untilScriptCalls(1);
  await e.sendMessage({
    queueName: "q",
    body: "handed",
    messageAttributes: { k: { dataType: "String", stringValue: "v" } },
  });
  const [message] = (await waiting).messages;
  assert.equal(message?.body, "handed");
  assert.equal(message.attributes.ApproximateReceiveCount, "1");
  assert.equal(message.attributes.ApproximateFirstReceiveTimestamp, message.attributes.SentTimestamp);
  assert.deepEqual(message.messageAttributes, { k: { dataType: "String", stringValue: "v" } });
  // VisibilityTimeout 0 from the waiting receive: visible again at once, received a second time.
  const again = await e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  assert.equal(again.messages[0]?.attributes.ApproximateReceiveCount, "2");
  // The first handle is stale now; the second deletes.
  await e.deleteMessage({ queueName: "q", receiptHandle: message.receiptHandle });
  await e.deleteMessage({ queueName: "q", receiptHandle: again.messages[0]!.receiptHandle });
  assert.equal((await e.receiveMessage({ queueName: "q" })).messages.length, 0);
});

test("the first receive time of a handed-off message stays through later receives (count from the token)", async () => {
  const offset = { ms: 0 };
  const e = engine(uniquePrefix("w"), offset);
  await e.createQueue({ queueName: "q" });
  await scriptCalls();
  const waiting = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20, visibilityTimeout: 0 });
  await untilScriptCalls(1);
  await e.sendMessage({ queueName: "q", body: "m" });
  const [handed] = (await waiting).messages;
  const firstReceive = handed!.attributes.ApproximateFirstReceiveTimestamp;
  const seen: [string | undefined, string | undefined][] = [];
  for (let receive = 2; receive <= 4; receive++) {
    offset.ms += 1_000;
    const [m] = (await e.receiveMessage({ queueName: "q", visibilityTimeout: 0 })).messages;
    seen.push([m?.attributes.ApproximateReceiveCount, m?.attributes.ApproximateFirstReceiveTimestamp]);
  }
  assert.deepEqual(seen, [
    ["2", firstReceive],
    ["3", firstReceive],
    ["4", firstReceive],
  ]);
});

test("a batch with a delayed and a too long entry hands each receiver the right visible messages", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q", attributes: { MaximumMessageSize: "1024" } });
  await scriptCalls();
  const first = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20, maxNumberOfMessages: 2 });
  await untilScriptCalls(1);
  const second = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20, maxNumberOfMessages: 10 });
  await tick();
  const sent = await e.sendMessageBatch({
    queueName: "q",
    entries: [
      { id: "late", body: "late", delaySeconds: 60 },
      { id: "a", body: "a" },
      { id: "big", body: "x".repeat(2000) },
      { id: "b", body: "b" },
      { id: "c", body: "c" },
    ],
  });
  assert.deepEqual(
    sent.failed.map((f) => f.id),
    ["big"],
  );
  const ids = new Map(sent.successful.map((s) => [s.id, s.messageId]));
  const got = [(await first).messages, (await second).messages].map((messages) =>
    messages.map((m) => [m.body, m.messageId]),
  );
  assert.deepEqual(got, [
    [
      ["a", ids.get("a")],
      ["b", ids.get("b")],
    ],
    [["c", ids.get("c")]],
  ]);
  assert.equal(await scriptCalls(), 1, "the send received for both waiters in its own script");
});

test("a delayed send hands nothing off: the claimed receiver looks itself and waits for the delay", async () => {
  const offset = { ms: 0 };
  const e = engine(uniquePrefix("w"), offset);
  await e.createQueue({ queueName: "q", attributes: { DelaySeconds: "60" } });
  await scriptCalls();
  const waiting = e.receiveMessage({ queueName: "q", waitTimeSeconds: 2 });
  await untilScriptCalls(1);
  await e.sendMessage({ queueName: "q", body: "later" });
  assert.equal((await waiting).messages.length, 0);
  offset.ms += 61_000;
  assert.equal((await e.receiveMessage({ queueName: "q", waitTimeSeconds: 1 })).messages[0]?.body, "later");
});

test("a send that fails releases the receivers it claimed", async () => {
  const e = engine();
  await e.createQueue({ queueName: "q" });
  await scriptCalls();
  const waiting = e.receiveMessage({ queueName: "q", waitTimeSeconds: 20 });
  await untilScriptCalls(1);
  await e.deleteQueue({ queueName: "q" });
  await assert.rejects(e.sendMessage({ queueName: "q", body: "lost" }), { code: "QueueDoesNotExist" });
  await assert.rejects(waiting, { code: "QueueDoesNotExist" });
});

test("long-polling consumers of two engines and two producers: every message is received once, none lost", async () => {
  const prefix = uniquePrefix("w");
  const engines2 = [engine(prefix), engine(prefix)];
  await engines2[0]!.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "600" } });
  const perProducer = 300;
  const received = new Map<string, number>();
  const done = new AbortController();
  const consumers = engines2.flatMap((e, n) =>
    Array.from({ length: 4 }, async (_, c) => {
      while (!done.signal.aborted) {
        const { messages } = await e.receiveMessage({
          queueName: "q",
          maxNumberOfMessages: 1 + ((n * 4 + c) % 10),
          waitTimeSeconds: 20,
          signal: done.signal,
        });
        for (const m of messages) received.set(m.body, (received.get(m.body) ?? 0) + 1);
        if (messages.length)
          await e.deleteMessageBatch({
            queueName: "q",
            entries: messages.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle })),
          });
        if (received.size === perProducer * 2) done.abort();
      }
    }),
  );
  const producers = engines2.map(async (e, n) => {
    for (let sent = 0; sent < perProducer;) {
      const size = Math.min(1 + (sent % 10), perProducer - sent);
      await e.sendMessageBatch({
        queueName: "q",
        entries: Array.from({ length: size }, (_, i) => ({ id: String(i), body: `${n}-${sent + i}` })),
      });
      sent += size;
    }
  });
  await Promise.all([...producers, ...consumers]);
  assert.equal(received.size, perProducer * 2);
  assert.deepEqual(
    [...received].filter(([, times]) => times !== 1),
    [],
  );
});
