// The Lambda SQS event (AWS-COMPAT.md §4 "Lambda SQS event source mapping") and the batch response a function with
// ReportBatchItemFailures returns. Pure.
import { createHash } from "node:crypto";
import type { TriggerMessage } from "./trigger-queue.js";

/** The system attributes an SQS event record carries (others the queue returns stay out, as in Lambda). */
const RECORD_ATTRIBUTES = [
  "ApproximateReceiveCount",
  "SentTimestamp",
  "SenderId",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageGroupId",
  "MessageDeduplicationId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

export interface SqsEventSource {
  queueArn: string;
  region: string;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

export function sqsEvent(messages: TriggerMessage[], source: SqsEventSource): { Records: SqsRecord[] } {
  return {
    Records: messages.map((message) => {
      const attributes: Record<string, string> = {};
      for (const name of RECORD_ATTRIBUTES) {
        const value = message.attributes[name];
        if (value !== undefined) attributes[name] = value;
      }
      const messageAttributes: SqsRecord["messageAttributes"] = {};
      for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
        messageAttributes[name] = {
          ...(value.stringValue !== undefined ? { stringValue: value.stringValue } : {}),
          ...(value.binaryValue !== undefined
            ? { binaryValue: Buffer.from(value.binaryValue).toString("base64") }
            : {}),
          stringListValues: [],
          binaryListValues: [],
          dataType: value.dataType,
        };
      }
      return {
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes,
        messageAttributes,
        md5OfBody: createHash("md5").update(message.body, "utf8").digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: source.queueArn,
        awsRegion: source.region,
      };
    }),
  };
}

/**
 * Which messages of a batch failed, from the function's response under ReportBatchItemFailures:
 * `{"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}`. An empty or null list, or an empty or null response,
 * is full success; invalid JSON or an empty, null or unknown itemIdentifier fails the whole batch (as Lambda does).
 */
export function failedMessageIds(
  payload: string,
  batchIds: readonly string[],
): { all: true } | { all: false; ids: Set<string> } {
  const trimmed = payload.trim();
  if (trimmed === "" || trimmed === "null") return { all: false, ids: new Set() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { all: true };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return { all: false, ids: new Set() };
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { all: false, ids: new Set() };
  if (!Array.isArray(list)) return { all: true };
  const known = new Set(batchIds);
  const ids = new Set<string>();
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !known.has(id)) return { all: true };
    ids.add(id);
  }
  return { all: false, ids };
}
