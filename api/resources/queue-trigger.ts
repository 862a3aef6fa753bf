// QueueTrigger: an SQS event source mapping — polls a Queue and invokes a Function with batches.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { celRules, ResourceName } from "./schema-helpers.js";

/** Lambda's SQS limits: 10 per batch on FIFO; above 10 a batching window of at least 1 s is required. */
export const FIFO_MAX_BATCH_SIZE = 10;

export const QueueTriggerSpecSchema = Type.Object(
  {
    queue: ResourceName({ description: "metadata.name of a Queue in the same namespace" }),
    function: ResourceName({ description: "metadata.name of a Function in the same namespace" }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 10,
      description: "at most 10 on a FIFO queue",
    }),
    maximumBatchingWindowSeconds: Type.Integer({
      minimum: 0,
      maximum: 300,
      default: 0,
      description: "wait up to this long to fill a batch",
    }),
    maxConcurrency: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 1000, description: "concurrent batches; unbounded when absent" }),
    ),
    reportBatchItemFailures: Type.Boolean({
      default: false,
      description: "handler returns {batchItemFailures: [{itemIdentifier}]}",
    }),
    enabled: Type.Boolean({ default: true, description: "false stops polling; messages stay in the queue" }),
  },
  {
    ...celRules({
      rule: "self.batchSize <= 10 || self.maximumBatchingWindowSeconds >= 1",
      message: "batchSize above 10 needs maximumBatchingWindowSeconds of at least 1",
    }),
  },
);
export type QueueTriggerSpec = Static<typeof QueueTriggerSpecSchema>;

export const QueueTriggerStatusSchema = Type.Object({
  ...statusFields,
  lastBatchTime: Type.Optional(Type.String({ format: "date-time" })),
  activeBatches: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type QueueTriggerStatus = Static<typeof QueueTriggerStatusSchema>;

export type QueueTrigger = KappaResource<"QueueTrigger", QueueTriggerSpec, QueueTriggerStatus>;
