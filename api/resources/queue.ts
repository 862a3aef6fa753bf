// Queue: an SQS queue (standard or FIFO) with SQS's attributes and ranges.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { type CelRule, withDescription, ResourceName } from "./schema-helpers.js";

/** SQS names: up to 80 of [A-Za-z0-9_-], FIFO names end in ".fifo" (counted in the 80). */
export const SQS_QUEUE_NAME_PATTERN = "^([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\\.fifo)$";

export const QUEUE_LIMITS = {
  visibilityTimeout: { min: 0, max: 43200, default: 30 },
  delaySeconds: { min: 0, max: 900, default: 0 },
  messageRetentionPeriod: { min: 60, max: 1209600, default: 345600 },
  maximumMessageSize: { min: 1024, max: 1048576, default: 262144 },
  receiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  maxReceiveCount: { min: 1, max: 1000 },
} as const;

const seconds = (limits: { min: number; max: number; default: number }, description: string) =>
  Type.Integer({ minimum: limits.min, maximum: limits.max, default: limits.default, description });

export const RedrivePolicySchema = Type.Object({
  deadLetterQueue: ResourceName({
    description: "metadata.name of another Queue in the same namespace, of the same type",
  }),
  maxReceiveCount: Type.Integer({
    minimum: QUEUE_LIMITS.maxReceiveCount.min,
    maximum: QUEUE_LIMITS.maxReceiveCount.max,
    description: "receives before a message moves to the dead-letter queue",
  }),
});
export type RedrivePolicy = Static<typeof RedrivePolicySchema>;

export const QueueSpecSchema = Type.Object(
  {
    queueName: Type.Optional(
      Type.String({
        pattern: SQS_QUEUE_NAME_PATTERN,
        description: "the SQS name clients use (may hold uppercase and _); defaults to metadata.name",
      }),
    ),
    fifo: Type.Boolean({ default: false, description: "a FIFO queue; its SQS name must end in .fifo" }),
    contentBasedDeduplication: Type.Boolean({
      default: false,
      description: "FIFO only: dedupe on the body's sha256",
    }),
    visibilityTimeout: seconds(QUEUE_LIMITS.visibilityTimeout, "seconds a received message stays hidden"),
    delaySeconds: seconds(QUEUE_LIMITS.delaySeconds, "seconds before a new message becomes visible"),
    messageRetentionPeriod: seconds(
      QUEUE_LIMITS.messageRetentionPeriod,
      "seconds a message is kept (default 4 days)",
    ),
    maximumMessageSize: seconds(QUEUE_LIMITS.maximumMessageSize, "bytes"),
    receiveMessageWaitTimeSeconds: seconds(
      QUEUE_LIMITS.receiveMessageWaitTimeSeconds,
      "default long-poll wait",
    ),
    redrivePolicy: Type.Optional(
      withDescription(
        "move a message to a dead-letter queue after maxReceiveCount receives",
        RedrivePolicySchema,
      ),
    ),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "!self.contentBasedDeduplication || self.fifo",
        message: "contentBasedDeduplication needs fifo: true",
      },
    ] satisfies CelRule[],
  },
);
export type QueueSpec = Static<typeof QueueSpecSchema>;

/** SQS names with this prefix belong to the platform (each function's async-invocation queue). */
export const INTERNAL_QUEUE_PREFIX = "kappa-async_";

/** Rules on the whole object, because the default SQS name comes from metadata.name. */
export const QUEUE_ROOT_RULES: CelRule[] = [
  {
    rule:
      "has(self.spec.queueName) || self.metadata.name.matches('" +
      SQS_QUEUE_NAME_PATTERN.replaceAll("\\", "\\\\") +
      "')",
    message:
      "metadata.name is not a valid SQS queue name (up to 80 of A-Za-z0-9_-, optional .fifo): set spec.queueName",
  },
  {
    rule: "self.spec.fifo == (has(self.spec.queueName) ? self.spec.queueName : self.metadata.name).endsWith('.fifo')",
    message:
      "a FIFO queue's name ends in .fifo and a standard queue's does not (spec.queueName or metadata.name)",
  },
  {
    rule: `!(has(self.spec.queueName) ? self.spec.queueName : self.metadata.name).startsWith('${INTERNAL_QUEUE_PREFIX}')`,
    message: `SQS names starting with ${INTERNAL_QUEUE_PREFIX} are Kappa's internal queues`,
  },
  {
    rule: "!has(self.spec.redrivePolicy) || self.spec.redrivePolicy.deadLetterQueue != self.metadata.name",
    message: "spec.redrivePolicy.deadLetterQueue must name another queue, not this one",
  },
];

/** The SQS name of a queue: spec.queueName, or metadata.name by default. */
export const sqsQueueName = (queue: { metadata: { name: string }; spec: { queueName?: string } }): string =>
  queue.spec.queueName ?? queue.metadata.name;

export const QueueStatusSchema = Type.Object({
  ...statusFields,
  queueName: Type.Optional(Type.String()),
  url: Type.Optional(Type.String({ description: "the SQS QueueUrl on the gateway's API port" })),
  arn: Type.Optional(Type.String()),
  visible: Type.Optional(Type.Integer({ minimum: 0, description: "ApproximateNumberOfMessages" })),
  inFlight: Type.Optional(Type.Integer({ minimum: 0, description: "ApproximateNumberOfMessagesNotVisible" })),
  delayed: Type.Optional(Type.Integer({ minimum: 0, description: "ApproximateNumberOfMessagesDelayed" })),
});
export type QueueStatus = Static<typeof QueueStatusSchema>;

export type Queue = KappaResource<"Queue", QueueSpec, QueueStatus>;
