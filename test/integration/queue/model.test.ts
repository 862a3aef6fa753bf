// Model-based property test: random sequences of send / receive / delete / change-visibility / time steps from
// several consumers, run against the real engine on real Redis and against a small reference model; every
// observable result must agree. Time moves through the engine's clock offset in steps of 10 s and timeouts are
// multiples of 10 s, so the few milliseconds of real time a run takes can never flip an expiry (deterministic).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness();
});
after(() => h.close());

type Op =
  | { kind: "send" }
  | { kind: "receive"; consumer: number; max: number; visibility: number }
  | { kind: "delete"; consumer: number; pick: number }
  | { kind: "changeVisibility"; consumer: number; pick: number; visibility: number }
  | { kind: "advance"; steps: number };

const CONSUMERS = 3;
const consumer = fc.integer({ min: 0, max: CONSUMERS - 1 });
const visibility = fc.constantFrom(0, 10, 20, 30);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "send" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("receive" as const),
      consumer,
      max: fc.integer({ min: 1, max: 4 }),
      visibility,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), consumer, pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("changeVisibility" as const),
      consumer,
      pick: fc.nat(),
      visibility,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("advance" as const), steps: fc.integer({ min: 1, max: 3 }) }),
  },
);

interface ModelMessage {
  seq: number;
  body: string;
  visibleAt: number;
  receiveCount: number;
  /** The receive (consumer handle id) that holds the current receipt. */
  receipt?: number;
  deleted: boolean;
}

interface Held {
  receipt: number;
  body: string;
  handle: string;
}

test("the engine behaves like the reference model of an SQS standard queue", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      const { engine, advance } = h.engine();
      await engine.createQueue({ queueName: "model", attributes: { VisibilityTimeout: "30" } });
      const messages: ModelMessage[] = [];
      const held: Held[][] = Array.from({ length: CONSUMERS }, () => []);
      let now = 0;
      let receipts = 0;
      try {
        for (const o of ops) {
          if (o.kind === "send") {
            const body = `m${messages.length}`;
            messages.push({ seq: messages.length, body, visibleAt: now, receiveCount: 0, deleted: false });
            await engine.sendMessage({ queueName: "model", body });
          } else if (o.kind === "receive") {
            const expected = messages
              .filter((m) => !m.deleted && m.visibleAt <= now)
              .sort((a, b) => a.seq - b.seq)
              .slice(0, o.max);
            const out = await engine.receiveMessage({
              queueName: "model",
              maxNumberOfMessages: o.max,
              visibilityTimeout: o.visibility,
              waitTimeSeconds: 0,
            });
            assert.deepEqual(
              out.messages.map((m) => m.body),
              expected.map((m) => m.body),
            );
            out.messages.forEach((m, i) => {
              const model = expected[i]!;
              model.receiveCount++;
              model.visibleAt = now + o.visibility * 1000;
              model.receipt = ++receipts;
              assert.equal(m.attributes.ApproximateReceiveCount, String(model.receiveCount));
              held[o.consumer]!.push({ receipt: model.receipt, body: model.body, handle: m.receiptHandle });
            });
          } else if (o.kind === "delete" || o.kind === "changeVisibility") {
            const hand = held[o.consumer]!;
            if (hand.length === 0) continue;
            const h = hand.splice(o.pick % hand.length, 1)[0]!;
            const model = messages.find((m) => m.body === h.body)!;
            const current = model.receipt === h.receipt;
            if (o.kind === "delete") {
              await engine.deleteMessage({ queueName: "model", receiptHandle: h.handle });
              if (current) model.deleted = true;
            } else {
              await engine.changeMessageVisibility({
                queueName: "model",
                receiptHandle: h.handle,
                visibilityTimeout: o.visibility,
              });
              if (current && !model.deleted && model.visibleAt > now)
                model.visibleAt = now + o.visibility * 1000;
            }
          } else {
            now += o.steps * 10_000;
            advance(o.steps * 10_000);
          }
          const attributes = await engine.getQueueAttributes({ queueName: "model", attributeNames: ["All"] });
          const live = messages.filter((m) => !m.deleted);
          assert.equal(
            attributes.ApproximateNumberOfMessages,
            String(live.filter((m) => m.visibleAt <= now).length),
          );
          assert.equal(
            attributes.ApproximateNumberOfMessagesNotVisible,
            String(live.filter((m) => m.visibleAt > now).length),
          );
        }
      } finally {
        await engine.deleteQueue({ queueName: "model" });
      }
    }),
    { numRuns: 40 },
  );
});
