// Every SQS action the issue lists, driven by the real @aws-sdk/client-sqs against the real server and Redis.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { startSqsHarness, type SqsHarness } from "./sqs-harness.js";

let h: SqsHarness;
let sqs: SQSClient;
before(async () => {
  h = await startSqsHarness();
  sqs = h.sqs();
});
after(() => h.close());

const depth = async (QueueUrl: string) => {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return [
    Number(out.Attributes?.ApproximateNumberOfMessages),
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  ];
};

test("queue lifecycle: create (idempotent), get URL, list, attributes, delete", async () => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }),
  );
  assert.equal(QueueUrl, `${h.endpoint}/000000000000/orders`);
  const again = await sqs.send(
    new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "45" } }),
  );
  assert.equal(again.QueueUrl, QueueUrl);
  await assert.rejects(
    sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "46" } })),
    { name: "QueueNameExists" },
  );
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }))).QueueUrl, QueueUrl);
  await sqs.send(new CreateQueueCommand({ QueueName: "orders-2" }));
  const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "orders" }));
  assert.deepEqual(listed.QueueUrls, [QueueUrl, `${h.endpoint}/000000000000/orders-2`]);
  const paged = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "orders", MaxResults: 1 }));
  assert.equal(paged.QueueUrls?.length, 1);
  assert.ok(paged.NextToken);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: "5" } }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attrs.Attributes?.DelaySeconds, "5");
  assert.equal(attrs.Attributes?.VisibilityTimeout, "45");
  assert.equal(attrs.Attributes?.QueueArn, "arn:aws:sqs:us-east-1:000000000000:orders");
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await assert.rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: "orders" })),
    (error: Error & { Code?: string }) => {
      assert.equal(error.name, "QueueDoesNotExist");
      assert.equal(error.Code, "AWS.SimpleQueueService.NonExistentQueue");
      return true;
    },
  );
});

test("send, receive, change visibility, delete (single and batch) with checksums the SDK verifies", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "work" }));
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "héllo wörld ✓",
      MessageAttributes: {
        kind: { DataType: "String", StringValue: "greeting" },
        n: { DataType: "Number", StringValue: "42" },
        raw: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) },
      },
    }),
  );
  assert.ok(sent.MessageId);
  assert.match(sent.MD5OfMessageAttributes ?? "", /^[0-9a-f]{32}$/);
  const batch = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "a", MessageBody: "one" },
        { Id: "b", MessageBody: "two", DelaySeconds: 0 },
        { Id: "c", MessageBody: "bad \u0000 body" },
      ],
    }),
  );
  assert.deepEqual(batch.Successful?.map((s) => s.Id).sort(), ["a", "b"]);
  assert.deepEqual(
    batch.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]),
    [["c", "InvalidMessageContents", true]],
  );

  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  const messages = received.Messages ?? [];
  assert.equal(messages.length, 3);
  const first = messages.find((m) => m.MessageId === sent.MessageId)!;
  assert.equal(first.Body, "héllo wörld ✓");
  assert.equal(first.MessageAttributes?.n?.StringValue, "42");
  assert.deepEqual([...(first.MessageAttributes?.raw?.BinaryValue ?? [])], [1, 2, 3]);
  assert.equal(first.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(first.Attributes?.ApproximateReceiveCount, "1");
  assert.ok(Number(first.Attributes?.SentTimestamp) > 0);
  assert.equal(first.Attributes?.SenderId, "AKIAKAPPATEST0001");
  assert.deepEqual(await depth(QueueUrl!), [0, 3]);

  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl,
      ReceiptHandle: first.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  const others = messages.filter((m) => m !== first);
  const changed = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl,
      Entries: others.map((m, i) => ({
        Id: `e${i}`,
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: 120,
      })),
    }),
  );
  assert.equal(changed.Successful?.length, 2);
  assert.deepEqual(await depth(QueueUrl!), [1, 2]);

  const again = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
  );
  assert.equal(again.Messages?.[0]?.MessageId, first.MessageId);
  assert.equal(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "2");
  // The first receipt is stale now: it neither deletes nor changes anything.
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle }));
  assert.deepEqual(await depth(QueueUrl!), [0, 3]);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: [
        ...others.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        { Id: "junk", ReceiptHandle: "not-a-receipt" },
      ],
    }),
  );
  assert.equal(deleted.Successful?.length, 2);
  assert.deepEqual(
    deleted.Failed?.map((f) => [f.Id, f.Code]),
    [["junk", "ReceiptHandleIsInvalid"]],
  );
  assert.deepEqual(await depth(QueueUrl!), [0, 0]);
});

test("long polling returns as soon as a message is sent", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "long" }));
  const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await new Promise((r) => setTimeout(r, 100));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
  const out = await receiving;
  assert.equal(out.Messages?.[0]?.Body, "wake up");
});

test("purge empties a queue; a second purge within 60 s is PurgeQueueInProgress", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "purge-me" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  assert.deepEqual(await depth(QueueUrl!), [0, 0]);
  await assert.rejects(sqs.send(new PurgeQueueCommand({ QueueUrl })), { name: "PurgeQueueInProgress" });
});

test("dead-letter redrive, ListDeadLetterSourceQueues and StartMessageMoveTask back to the source", async () => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "jobs-dlq" }));
  const dlqArn = "arn:aws:sqs:us-east-1:000000000000:jobs-dlq";
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: "jobs",
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
    }),
  );
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
  for (let i = 0; i < 2; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    assert.equal(r.Messages?.length, 1);
  }
  const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(third.Messages, undefined);
  const inDlq = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlq.QueueUrl,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  assert.equal(inDlq.Messages?.[0]?.Body, "poison");
  assert.equal(
    inDlq.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn,
    "arn:aws:sqs:us-east-1:000000000000:jobs",
  );

  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
  assert.deepEqual(sources.queueUrls, [QueueUrl]);

  const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  assert.ok(task.TaskHandle);
  let status = "RUNNING";
  for (let i = 0; i < 100 && status === "RUNNING"; i++) {
    const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    status = listed.Results?.[0]?.Status ?? "";
    if (status === "RUNNING") await new Promise((r) => setTimeout(r, 20));
    else assert.equal(listed.Results?.[0]?.ApproximateNumberOfMessagesMoved, 1);
  }
  assert.equal(status, "COMPLETED");
  const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(back.Messages?.[0]?.Body, "poison");
});

test("FIFO through the SDK: group order, dedup returns the original id, sequence numbers", async () => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: "orders.fifo",
      Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
    }),
  );
  const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a1", MessageGroupId: "g" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a2", MessageGroupId: "g" }));
  const dup = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "a1", MessageGroupId: "g" }));
  assert.equal(dup.MessageId, a.MessageId);
  assert.match(a.SequenceNumber ?? "", /^\d{20}$/);
  const r = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] }),
  );
  assert.deepEqual(
    r.Messages?.map((m) => m.Body),
    ["a1", "a2"],
  );
  assert.equal(r.Messages?.[0]?.Attributes?.MessageGroupId, "g");
  // Unmodelled errors: the SDK names them by the legacy code of x-amzn-query-error, as against AWS.
  await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })), (error: Error) => {
    assert.equal(error.name, "MissingParameter");
    assert.match(error.message, /MessageGroupId/);
    return true;
  });
});
