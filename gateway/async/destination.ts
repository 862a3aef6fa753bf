// Lambda's destination record (AWS-COMPAT.md §2) sent to a function's onFailure / onSuccess queue, and how a
// Function's `{queue: <Queue name>}` reference resolves to the queue engine's queue name.
import { sqsQueueName, type Queue } from "../../api/index.js";
import type { ResourceStore } from "../../api/store.js";
import { LATEST } from "../lambda/function-name.js";

export type DestinationCondition = "RetriesExhausted" | "EventAgeExceeded" | "Success";

export interface DestinationRecordInput {
  at: number;
  requestId: string;
  functionArn: string;
  condition: DestinationCondition;
  approximateInvokeCount: number;
  requestPayload: string;
  response?: { payload: Buffer; functionError?: string };
}

export function destinationRecord(input: DestinationRecordInput): string {
  const record: Record<string, unknown> = {
    version: "1.0",
    timestamp: new Date(input.at).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: `${input.functionArn}:${LATEST}`,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: parseOrText(input.requestPayload),
  };
  if (input.response) {
    const responseContext: Record<string, unknown> = { statusCode: 200, executedVersion: LATEST };
    if (input.response.functionError) responseContext.functionError = input.response.functionError;
    record.responseContext = responseContext;
    record.responsePayload = parseOrText(input.response.payload.toString("utf8"));
  }
  return JSON.stringify(record);
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A Queue resource's SQS name (spec.queueName or its name); the reference itself when no such resource exists. */
export function destinationQueueName(store: ResourceStore, namespace: string, queueRef: string): string {
  const queue = store.get<Queue>("Queue", namespace, queueRef);
  return queue ? sqsQueueName(queue) : queueRef;
}
