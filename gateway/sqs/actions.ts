// The SQS actions: each reads its JSON members, calls the queue engine and returns the JSON result.
import type { IncomingMessage } from "node:http";
import {
  md5OfBody,
  md5OfMessageAttributes,
  type BatchOutput,
  type QueueEngine,
  type SendMessageEntry,
} from "../../queue/index.js";
import { queueNameFromUrl, type QueueUrlFor } from "./queue-url.js";
import { wireMessage } from "./receive-output.js";
import {
  messageAttributes,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredList,
  requiredString,
  type Json,
} from "./wire-input.js";

export interface ActionContext {
  engine: QueueEngine;
  request: IncomingMessage;
  queueUrlFor: QueueUrlFor;
  /** The SigV4 signer, recorded as the SenderId of messages it sends. */
  principal?: { accessKeyId: string };
  /** Aborted when the client goes away (ends a long poll early). */
  signal: AbortSignal;
}

export type Action = (input: Json, context: ActionContext) => Promise<Json>;

const queueOf = (input: Json) => queueNameFromUrl(requiredString(input, "QueueUrl"));
const urlOf = (context: ActionContext, name: string) => context.queueUrlFor(context.request, name);

function sendEntry(input: Json): SendMessageEntry {
  return {
    body: requiredString(input, "MessageBody"),
    delaySeconds: optionalInteger(input, "DelaySeconds"),
    messageAttributes: messageAttributes(input, "MessageAttributes"),
    messageSystemAttributes: messageAttributes(input, "MessageSystemAttributes"),
    messageGroupId: optionalString(input, "MessageGroupId"),
    messageDeduplicationId: optionalString(input, "MessageDeduplicationId"),
  };
}

function sendChecksums(entry: SendMessageEntry): Json {
  const out: Json = { MD5OfMessageBody: md5OfBody(entry.body) };
  const attributes = md5OfMessageAttributes(entry.messageAttributes ?? {});
  if (attributes) out.MD5OfMessageAttributes = attributes;
  const system = md5OfMessageAttributes(entry.messageSystemAttributes ?? {});
  if (system) out.MD5OfMessageSystemAttributes = system;
  return out;
}

function batchResult(output: BatchOutput): Json {
  return {
    Successful: output.successful.map((s) => ({ Id: s.id })),
    Failed: output.failed.map((f) => ({
      Id: f.id,
      SenderFault: f.senderFault,
      Code: f.code,
      Message: f.message,
    })),
  };
}

const receiptEntries = (input: Json) =>
  requiredList(input, "Entries").map((e) => ({
    id: requiredString(e, "Id"),
    receiptHandle: requiredString(e, "ReceiptHandle"),
    visibilityTimeout: optionalInteger(e, "VisibilityTimeout")!,
  }));

export const SQS_ACTIONS: Record<string, Action> = {
  async CreateQueue(input, context) {
    const info = await context.engine.createQueue({
      queueName: requiredString(input, "QueueName"),
      attributes: optionalStringMap(input, "Attributes"),
      tags: optionalStringMap(input, "tags"),
    });
    return { QueueUrl: urlOf(context, info.queueName) };
  },

  async GetQueueUrl(input, context) {
    const info = await context.engine.getQueue({ queueName: requiredString(input, "QueueName") });
    return { QueueUrl: urlOf(context, info.queueName) };
  },

  async ListQueues(input, context) {
    const out = await context.engine.listQueues({
      queueNamePrefix: optionalString(input, "QueueNamePrefix"),
      maxResults: optionalInteger(input, "MaxResults"),
      nextToken: optionalString(input, "NextToken"),
    });
    const result: Json = {};
    if (out.queueNames.length) result.QueueUrls = out.queueNames.map((n) => urlOf(context, n));
    if (out.nextToken) result.NextToken = out.nextToken;
    return result;
  },

  async GetQueueAttributes(input, context) {
    const attributes = await context.engine.getQueueAttributes({
      queueName: queueOf(input),
      attributeNames: optionalStringList(input, "AttributeNames"),
    });
    return Object.keys(attributes).length ? { Attributes: attributes } : {};
  },

  async SetQueueAttributes(input, context) {
    const attributes = optionalStringMap(input, "Attributes");
    await context.engine.setQueueAttributes({ queueName: queueOf(input), attributes: attributes! });
    return {};
  },

  async SendMessage(input, context) {
    const entry = sendEntry(input);
    const out = await context.engine.sendMessage({
      queueName: queueOf(input),
      ...entry,
      senderId: context.principal?.accessKeyId,
    });
    const result: Json = { MessageId: out.messageId, ...sendChecksums(entry) };
    if (out.sequenceNumber) result.SequenceNumber = out.sequenceNumber;
    return result;
  },

  async SendMessageBatch(input, context) {
    const queueName = queueOf(input);
    const entries = requiredList(input, "Entries").map((e) => ({
      id: requiredString(e, "Id"),
      ...sendEntry(e),
    }));
    const out = await context.engine.sendMessageBatch({
      queueName,
      entries,
      senderId: context.principal?.accessKeyId,
    });
    const byId = new Map(entries.map((e) => [e.id, e]));
    return {
      Successful: out.successful.map((s) => ({
        Id: s.id,
        MessageId: s.messageId,
        ...sendChecksums(byId.get(s.id)!),
        ...(s.sequenceNumber ? { SequenceNumber: s.sequenceNumber } : {}),
      })),
      Failed: out.failed.map((f) => ({
        Id: f.id,
        SenderFault: f.senderFault,
        Code: f.code,
        Message: f.message,
      })),
    };
  },

  async ReceiveMessage(input, context) {
    const systemNames = [
      ...(optionalStringList(input, "AttributeNames") ?? []),
      ...(optionalStringList(input, "MessageSystemAttributeNames") ?? []),
    ];
    const attributeNames = optionalStringList(input, "MessageAttributeNames") ?? [];
    optionalString(input, "ReceiveRequestAttemptId");
    const out = await context.engine.receiveMessage({
      queueName: queueOf(input),
      maxNumberOfMessages: optionalInteger(input, "MaxNumberOfMessages"),
      visibilityTimeout: optionalInteger(input, "VisibilityTimeout"),
      waitTimeSeconds: optionalInteger(input, "WaitTimeSeconds"),
      signal: context.signal,
    });
    if (out.messages.length === 0) return {};
    return { Messages: out.messages.map((m) => wireMessage(m, systemNames, attributeNames)) };
  },

  async DeleteMessage(input, context) {
    await context.engine.deleteMessage({
      queueName: queueOf(input),
      receiptHandle: requiredString(input, "ReceiptHandle"),
    });
    return {};
  },

  async DeleteMessageBatch(input, context) {
    const out = await context.engine.deleteMessageBatch({
      queueName: queueOf(input),
      entries: receiptEntries(input),
    });
    return batchResult(out);
  },

  async ChangeMessageVisibility(input, context) {
    const visibilityTimeout = optionalInteger(input, "VisibilityTimeout");
    if (visibilityTimeout === undefined) requiredString(input, "VisibilityTimeout");
    await context.engine.changeMessageVisibility({
      queueName: queueOf(input),
      receiptHandle: requiredString(input, "ReceiptHandle"),
      visibilityTimeout: visibilityTimeout!,
    });
    return {};
  },

  async ChangeMessageVisibilityBatch(input, context) {
    const out = await context.engine.changeMessageVisibilityBatch({
      queueName: queueOf(input),
      entries: receiptEntries(input),
    });
    return batchResult(out);
  },

  async PurgeQueue(input, context) {
    await context.engine.purgeQueue({ queueName: queueOf(input) });
    return {};
  },

  async DeleteQueue(input, context) {
    await context.engine.deleteQueue({ queueName: queueOf(input) });
    return {};
  },

  async ListDeadLetterSourceQueues(input, context) {
    const out = await context.engine.listDeadLetterSourceQueues({
      queueName: queueOf(input),
      maxResults: optionalInteger(input, "MaxResults"),
      nextToken: optionalString(input, "NextToken"),
    });
    const result: Json = { queueUrls: out.queueNames.map((n) => urlOf(context, n)) };
    if (out.nextToken) result.NextToken = out.nextToken;
    return result;
  },

  async StartMessageMoveTask(input, context) {
    const out = await context.engine.startMessageMoveTask({
      sourceArn: requiredString(input, "SourceArn"),
      destinationArn: optionalString(input, "DestinationArn"),
      maxNumberOfMessagesPerSecond: optionalInteger(input, "MaxNumberOfMessagesPerSecond"),
    });
    return { TaskHandle: out.taskHandle };
  },

  async ListMessageMoveTasks(input, context) {
    const tasks = await context.engine.listMessageMoveTasks({
      sourceArn: requiredString(input, "SourceArn"),
      maxResults: optionalInteger(input, "MaxResults"),
    });
    return {
      Results: tasks.map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: t.taskHandle } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.maxNumberOfMessagesPerSecond
          ? { MaxNumberOfMessagesPerSecond: t.maxNumberOfMessagesPerSecond }
          : {}),
        ApproximateNumberOfMessagesMoved: t.approximateNumberOfMessagesMoved,
        ApproximateNumberOfMessagesToMove: t.approximateNumberOfMessagesToMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
        StartedTimestamp: t.startedTimestamp,
      })),
    };
  },

  async CancelMessageMoveTask(input, context) {
    const out = await context.engine.cancelMessageMoveTask({
      taskHandle: requiredString(input, "TaskHandle"),
    });
    return { ApproximateNumberOfMessagesMoved: out.approximateNumberOfMessagesMoved };
  },
};
