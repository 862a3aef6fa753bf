// SQS semantics of the queue engine against a real Redis; time is moved with the engine's clock offset.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { QueueError } from "../../../queue/index.js";
import { startEngineHarness, type EngineHarness } from "./engine-harness.js";

let h: EngineHarness;
before(async () => {
  h = await startEngineHarness();
});
after(() => h.close());

const dlqArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const code = (c: string) => (error: unknown) => error instanceof QueueError && error.code === c;

test("a message is invisible for its visibility timeout, then returns with a higher receive count", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "30" } });
  await engine.sendMessage({ queueName: "q", body: "m" });
  const first = await engine.receiveMessage({ queueName: "q" });
  assert.equal(first.messages.length, 1);
  advance(29_000);
  assert.equal((await engine.receiveMessage({ queueName: "q" })).messages.length, 0);
  advance(1_001);
  const again = await engine.receiveMessage({ queueName: "q", visibilityTimeout: 5 });
  assert.equal(again.messages[0]?.attributes.ApproximateReceiveCount, "2");
  assert.equal(
    again.messages[0]?.attributes.ApproximateFirstReceiveTimestamp,
    first.messages[0]?.attributes.ApproximateFirstReceiveTimestamp,
  );
  assert.notEqual(again.messages[0]?.receiptHandle, first.messages[0]?.receiptHandle);
});

test("a stale receipt handle can neither delete nor extend a message another consumer holds", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "q" });
  await engine.sendMessage({ queueName: "q", body: "m" });
  const a = (await engine.receiveMessage({ queueName: "q", visibilityTimeout: 10 })).messages[0]!;
  advance(10_001);
  const b = (await engine.receiveMessage({ queueName: "q", visibilityTimeout: 10 })).messages[0]!;
  await engine.deleteMessage({ queueName: "q", receiptHandle: a.receiptHandle });
  await engine.changeMessageVisibility({
    queueName: "q",
    receiptHandle: a.receiptHandle,
    visibilityTimeout: 0,
  });
  const attrs = await engine.getQueueAttributes({ queueName: "q", attributeNames: ["All"] });
  assert.equal(attrs.ApproximateNumberOfMessagesNotVisible, "1");
  await engine.deleteMessage({ queueName: "q", receiptHandle: b.receiptHandle });
  const after = await engine.getQueueAttributes({ queueName: "q", attributeNames: ["All"] });
  assert.equal(after.ApproximateNumberOfMessagesNotVisible, "0");
  assert.equal(after.ApproximateNumberOfMessages, "0");
});

test("ChangeMessageVisibility counts from the call and is capped at 12 hours after the receive", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "q" });
  await engine.sendMessage({ queueName: "q", body: "m" });
  const m = (await engine.receiveMessage({ queueName: "q", visibilityTimeout: 10 })).messages[0]!;
  advance(5_000);
  await engine.changeMessageVisibility({
    queueName: "q",
    receiptHandle: m.receiptHandle,
    visibilityTimeout: 60,
  });
  advance(59_000);
  assert.equal((await engine.receiveMessage({ queueName: "q" })).messages.length, 0);
  await assert.rejects(
    engine.changeMessageVisibility({
      queueName: "q",
      receiptHandle: m.receiptHandle,
      visibilityTimeout: 43_200,
    }),
    code("InvalidParameterValueException"),
  );
  advance(1_001);
  assert.equal((await engine.receiveMessage({ queueName: "q" })).messages.length, 1);
});

test("DelaySeconds (per message and per queue) hides a message until due; a long poll wakes when it is due", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "q", attributes: { DelaySeconds: "60" } });
  await engine.sendMessage({ queueName: "q", body: "queue-delay" });
  await engine.sendMessage({ queueName: "q", body: "now", delaySeconds: 0 });
  const now = await engine.receiveMessage({ queueName: "q", maxNumberOfMessages: 10 });
  assert.deepEqual(
    now.messages.map((m) => m.body),
    ["now"],
  );
  await engine.deleteMessage({ queueName: "q", receiptHandle: now.messages[0]!.receiptHandle });
  const attrs = await engine.getQueueAttributes({
    queueName: "q",
    attributeNames: ["ApproximateNumberOfMessagesDelayed"],
  });
  assert.equal(attrs.ApproximateNumberOfMessagesDelayed, "1");
  advance(59_800);
  // Due in ~200 ms of real time: the waiting receive sets its timer to the due time instead of polling.
  const waited = await engine.receiveMessage({ queueName: "q", waitTimeSeconds: 5 });
  assert.deepEqual(
    waited.messages.map((m) => m.body),
    ["queue-delay"],
  );
});

test("messages older than MessageRetentionPeriod are dropped", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "q", attributes: { MessageRetentionPeriod: "60" } });
  await engine.sendMessage({ queueName: "q", body: "old" });
  advance(30_000);
  await engine.sendMessage({ queueName: "q", body: "young" });
  advance(31_000);
  const out = await engine.receiveMessage({ queueName: "q", maxNumberOfMessages: 10 });
  assert.deepEqual(
    out.messages.map((m) => m.body),
    ["young"],
  );
});

test("the DLQ gets exactly the messages received more than maxReceiveCount times", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "dlq" });
  await engine.createQueue({
    queueName: "src",
    attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn("dlq"), maxReceiveCount: 3 }) },
  });
  for (const body of ["a", "b", "c", "d"]) await engine.sendMessage({ queueName: "src", body });
  const counts = new Map<string, number>();
  // "a" and "b" fail every time, "c" succeeds on its 3rd receive, "d" on its first.
  for (let round = 0; round < 5; round++) {
    const { messages } = await engine.receiveMessage({
      queueName: "src",
      maxNumberOfMessages: 10,
      visibilityTimeout: 1,
    });
    for (const m of messages) {
      const n = (counts.get(m.body) ?? 0) + 1;
      counts.set(m.body, n);
      if (m.body === "d" || (m.body === "c" && n === 3))
        await engine.deleteMessage({ queueName: "src", receiptHandle: m.receiptHandle });
    }
    advance(1_001);
  }
  assert.equal(counts.get("a"), 3);
  const dead = await engine.receiveMessage({ queueName: "dlq", maxNumberOfMessages: 10 });
  assert.deepEqual(dead.messages.map((m) => m.body).sort(), ["a", "b"]);
  assert.equal(dead.messages[0]?.attributes.DeadLetterQueueSourceArn, dlqArn("src"));
  const src = await engine.getQueueAttributes({ queueName: "src", attributeNames: ["All"] });
  assert.equal(src.ApproximateNumberOfMessages, "0");
});

test("a redrive whose DLQ vanished stays in the outbox and completes once the DLQ exists again", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "dlq" });
  await engine.createQueue({
    queueName: "src",
    attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn("dlq"), maxReceiveCount: 1 }) },
  });
  await engine.sendMessage({ queueName: "src", body: "keep me" });
  await engine.receiveMessage({ queueName: "src", visibilityTimeout: 0 });
  await engine.deleteQueue({ queueName: "dlq" });
  assert.equal((await engine.receiveMessage({ queueName: "src" })).messages.length, 0);
  await engine.createQueue({ queueName: "dlq" });
  advance(2_000);
  await new Promise((r) => setTimeout(r, 1_100)); // the outbox sweep runs at most once a second per queue
  await engine.receiveMessage({ queueName: "src" });
  const dead = await engine.receiveMessage({ queueName: "dlq" });
  assert.deepEqual(
    dead.messages.map((m) => m.body),
    ["keep me"],
  );
});

test("FIFO: one in-flight batch per group, order kept after a visibility timeout, stale handle rejected", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({ queueName: "f.fifo", attributes: { FifoQueue: "true" } });
  for (const [group, body] of [
    ["g1", "1a"],
    ["g1", "1b"],
    ["g2", "2a"],
    ["g1", "1c"],
  ])
    await engine.sendMessage({
      queueName: "f.fifo",
      body: body!,
      messageGroupId: group,
      messageDeduplicationId: body,
    });
  const first = await engine.receiveMessage({
    queueName: "f.fifo",
    maxNumberOfMessages: 2,
    visibilityTimeout: 10,
  });
  assert.deepEqual(
    first.messages.map((m) => m.body),
    ["1a", "1b"],
  );
  const second = await engine.receiveMessage({
    queueName: "f.fifo",
    maxNumberOfMessages: 10,
    visibilityTimeout: 10,
  });
  assert.deepEqual(
    second.messages.map((m) => m.body),
    ["2a"],
    "g1 is locked while 1a/1b are in flight",
  );
  advance(10_001);
  const retry = await engine.receiveMessage({
    queueName: "f.fifo",
    maxNumberOfMessages: 10,
    visibilityTimeout: 10,
  });
  assert.deepEqual(
    retry.messages.map((m) => m.body),
    ["1a", "1b", "1c", "2a"],
  );
  await assert.rejects(
    engine.deleteMessage({ queueName: "f.fifo", receiptHandle: first.messages[0]!.receiptHandle }),
    code("ReceiptHandleIsInvalid"),
  );
});

test("FIFO dedup: same id within 5 minutes returns the original MessageId; after 5 minutes it is new", async () => {
  const { engine, advance } = h.engine();
  await engine.createQueue({
    queueName: "d.fifo",
    attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
  });
  const a = await engine.sendMessage({ queueName: "d.fifo", body: "same", messageGroupId: "g" });
  const m = (await engine.receiveMessage({ queueName: "d.fifo" })).messages[0]!;
  await engine.deleteMessage({ queueName: "d.fifo", receiptHandle: m.receiptHandle });
  advance(4 * 60_000);
  const b = await engine.sendMessage({ queueName: "d.fifo", body: "same", messageGroupId: "g" });
  assert.equal(b.messageId, a.messageId);
  assert.equal(b.sequenceNumber, a.sequenceNumber);
  advance(61_000);
  const c = await engine.sendMessage({ queueName: "d.fifo", body: "same", messageGroupId: "g" });
  assert.notEqual(c.messageId, a.messageId);
  await assert.rejects(
    engine
      .createQueue({ queueName: "n.fifo", attributes: { FifoQueue: "true" } })
      .then(() => engine.sendMessage({ queueName: "n.fifo", body: "x", messageGroupId: "g" })),
    (error: unknown) => error instanceof QueueError && /ContentBasedDeduplication/.test(error.message),
  );
});

test("a long poll is cancelled by its AbortSignal and frees its waiter", async () => {
  const { engine } = h.engine();
  await engine.createQueue({ queueName: "q" });
  const controller = new AbortController();
  const receiving = engine.receiveMessage({ queueName: "q", waitTimeSeconds: 20, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const out = await receiving;
  assert.equal(out.messages.length, 0);
  await engine.sendMessage({ queueName: "q", body: "still here" });
  assert.equal((await engine.receiveMessage({ queueName: "q" })).messages[0]?.body, "still here");
});

test("unknown queues and malformed receipts give SQS's codes", async () => {
  const { engine } = h.engine();
  await assert.rejects(engine.sendMessage({ queueName: "nope", body: "x" }), code("QueueDoesNotExist"));
  await assert.rejects(engine.receiveMessage({ queueName: "nope" }), code("QueueDoesNotExist"));
  await engine.createQueue({ queueName: "q" });
  await assert.rejects(
    engine.deleteMessage({ queueName: "q", receiptHandle: "garbage!" }),
    code("ReceiptHandleIsInvalid"),
  );
  await assert.rejects(
    engine.receiveMessage({ queueName: "q", maxNumberOfMessages: 11 }),
    code("InvalidParameterValueException"),
  );
  await assert.rejects(
    engine.receiveMessage({ queueName: "q", waitTimeSeconds: 21 }),
    code("InvalidParameterValueException"),
  );
  await assert.rejects(
    engine.sendMessage({ queueName: "q", body: "x", delaySeconds: 901 }),
    code("InvalidParameterValueException"),
  );
  await assert.rejects(engine.createQueue({ queueName: "bad name" }), code("InvalidParameterValueException"));
  await assert.rejects(
    engine.createQueue({ queueName: "q2", attributes: { VisibilityTimeout: "43201" } }),
    code("InvalidAttributeValue"),
  );
  await assert.rejects(
    engine.createQueue({ queueName: "q2", attributes: { Bogus: "1" } }),
    code("InvalidAttributeName"),
  );
  await engine.setQueueAttributes({ queueName: "q", attributes: { MaximumMessageSize: "1024" } });
  await assert.rejects(
    engine.sendMessage({ queueName: "q", body: "x".repeat(1025) }),
    code("InvalidParameterValueException"),
  );
});
