// Many receivers on separate connections (parallel in Redis, like separate gateway replicas) never hold the
// same message inside one visibility window, and a consumer that dies mid-batch loses nothing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { QueueEngine } from "../../../queue/index.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

let server: TestRedis;
const cleanup: (() => Promise<void> | void)[] = [];
before(async () => {
  server = await startRedis();
});
after(async () => {
  for (const c of cleanup.reverse()) await c();
  await server.stop();
});

function engines(count: number, prefix: string, offset: { ms: number }): QueueEngine[] {
  return Array.from({ length: count }, () => {
    const redis = new Redis(server.url);
    const engine = new QueueEngine({ redis, prefix, clock: { offsetMs: () => offset.ms } });
    cleanup.push(async () => {
      await engine.close();
      redis.disconnect();
    });
    return engine;
  });
}

const MESSAGES = 300;

async function fill(engine: QueueEngine, queueName: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < MESSAGES; i += 10) {
    const out = await engine.sendMessageBatch({
      queueName,
      entries: Array.from({ length: 10 }, (_, j) => ({ id: `e${j}`, body: `m${i + j}` })),
    });
    for (const s of out.successful) ids.add(s.messageId);
  }
  return ids;
}

test("concurrent receivers never get the same message within its visibility window", async () => {
  const offset = { ms: 0 };
  const consumers = engines(8, uniquePrefix("conc"), offset);
  await consumers[0]!.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "300" } });
  const sent = await fill(consumers[0]!, "q");
  const seen = new Map<string, number>();
  await Promise.all(
    consumers.map(async (engine) => {
      for (;;) {
        const { messages } = await engine.receiveMessage({ queueName: "q", maxNumberOfMessages: 7 });
        if (messages.length === 0) return;
        for (const m of messages) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
      }
    }),
  );
  assert.equal(seen.size, MESSAGES);
  assert.deepEqual([...seen.keys()].sort(), [...sent].sort());
  assert.ok(
    [...seen.values()].every((n) => n === 1),
    "a message was handed to two receivers at once",
  );
});

test("a consumer killed mid-batch loses nothing: its messages return after the visibility timeout", async () => {
  const offset = { ms: 0 };
  const [victim, ...survivors] = engines(4, uniquePrefix("kill"), offset);
  await victim!.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "60" } });
  const sent = await fill(victim!, "q");
  const taken = await victim!.receiveMessage({ queueName: "q", maxNumberOfMessages: 10 });
  assert.equal(taken.messages.length, 10);
  await victim!.close(); // dies without deleting

  const done = new Set<string>();
  const drain = () =>
    Promise.all(
      survivors.map(async (engine) => {
        for (;;) {
          const { messages } = await engine.receiveMessage({ queueName: "q", maxNumberOfMessages: 10 });
          if (messages.length === 0) return;
          for (const m of messages) done.add(m.messageId);
          await engine.deleteMessageBatch({
            queueName: "q",
            entries: messages.map((m, i) => ({ id: String(i), receiptHandle: m.receiptHandle })),
          });
        }
      }),
    );
  await drain();
  assert.equal(done.size, MESSAGES - 10);
  offset.ms += 60_001;
  await drain();
  assert.deepEqual([...done].sort(), [...sent].sort());
  const attributes = await survivors[0]!.getQueueAttributes({ queueName: "q", attributeNames: ["All"] });
  assert.equal(attributes.ApproximateNumberOfMessages, "0");
  assert.equal(attributes.ApproximateNumberOfMessagesNotVisible, "0");
});
