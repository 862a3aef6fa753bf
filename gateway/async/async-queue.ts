// Each function's internal queue for Event invocations, in the queue engine. The message body is the payload
// as is (JSON text); what the dispatcher needs travels in message attributes, so a payload up to
// ASYNC_PAYLOAD_LIMIT_BYTES fits in one message.
import { createHash } from "node:crypto";
import type { MessageAttributes, QueueEngine, ReceivedMessage } from "../../queue/index.js";

/** The internal queues keep events a day: longer than the 6 h maximum event age, so age decides, not retention. */
const RETENTION_SECONDS = 86_400;
const SQS_NAME_MAX = 80;

/** "_" never appears in a DNS label, so namespace and name cannot run into each other. */
export function asyncQueueName(namespace: string, name: string): string {
  const readable = `kappa-async_${namespace}_${name}`;
  if (readable.length <= SQS_NAME_MAX) return readable;
  const digest = createHash("sha256").update(`${namespace}/${name}`).digest("hex").slice(0, 40);
  return `kappa-async_${digest}`;
}

export const ASYNC_QUEUE_ATTRIBUTES = {
  MessageRetentionPeriod: String(RETENTION_SECONDS),
  MaximumMessageSize: "1048576",
};

export const AsyncAttributes = {
  requestId: "kappa-request-id",
  /** epoch ms of the first enqueue; copies keep it, so the event's age counts from the original request */
  enqueuedAt: "kappa-enqueued-at",
  /** invocations already made by earlier copies of this event (re-sent after a throttle) */
  priorAttempts: "kappa-prior-attempts",
  /** how many times this event was throttled, for its backoff */
  throttles: "kappa-throttles",
  invokedArn: "kappa-invoked-arn",
} as const;

export interface AsyncEnvelope {
  requestId: string;
  enqueuedAt: number;
  priorAttempts: number;
  throttles: number;
  invokedArn?: string;
}

export function envelopeAttributes(envelope: AsyncEnvelope): MessageAttributes {
  const attributes: MessageAttributes = {
    [AsyncAttributes.requestId]: { dataType: "String", stringValue: envelope.requestId },
    [AsyncAttributes.enqueuedAt]: { dataType: "Number", stringValue: String(envelope.enqueuedAt) },
    [AsyncAttributes.priorAttempts]: { dataType: "Number", stringValue: String(envelope.priorAttempts) },
    [AsyncAttributes.throttles]: { dataType: "Number", stringValue: String(envelope.throttles) },
  };
  if (envelope.invokedArn)
    attributes[AsyncAttributes.invokedArn] = { dataType: "String", stringValue: envelope.invokedArn };
  return attributes;
}

export function envelopeOf(message: ReceivedMessage): AsyncEnvelope {
  const read = (name: string) => message.messageAttributes[name]?.stringValue;
  const sent = Number(message.attributes.SentTimestamp);
  return {
    requestId: read(AsyncAttributes.requestId) ?? message.messageId,
    enqueuedAt: Number(read(AsyncAttributes.enqueuedAt)) || sent || Date.now(),
    priorAttempts: Number(read(AsyncAttributes.priorAttempts)) || 0,
    throttles: Number(read(AsyncAttributes.throttles)) || 0,
    invokedArn: read(AsyncAttributes.invokedArn),
  };
}

/** Creates queues once per process; CreateQueue with identical attributes is idempotent anyway. */
export class AsyncQueues {
  private readonly created = new Map<string, Promise<void>>();

  constructor(private readonly engine: QueueEngine) {}

  ensure(namespace: string, name: string): Promise<string> {
    const queueName = asyncQueueName(namespace, name);
    let creating = this.created.get(queueName);
    if (!creating) {
      creating = this.engine
        .createQueue({ queueName, attributes: ASYNC_QUEUE_ATTRIBUTES })
        .then(() => undefined)
        .catch((error: unknown) => {
          this.created.delete(queueName);
          throw error;
        });
      this.created.set(queueName, creating);
    }
    return creating.then(() => queueName);
  }
}
