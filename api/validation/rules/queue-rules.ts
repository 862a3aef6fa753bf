// Queue and QueueTrigger rules that need more than one field (or metadata.name).
import {
  INTERNAL_QUEUE_PREFIX,
  type Queue,
  SQS_QUEUE_NAME_PATTERN,
  sqsQueueName,
} from "../../resources/queue.js";
import type { QueueTrigger } from "../../resources/queue-trigger.js";
import type { Issue } from "../issue.js";
import type { ResourceRule } from "./rule-context.js";

const SQS_NAME = new RegExp(SQS_QUEUE_NAME_PATTERN);

export const queueRules: ResourceRule<Queue> = (queue) => {
  const { spec, metadata } = queue;
  const issues: Issue[] = [];
  const name = sqsQueueName(queue);
  if (spec.queueName === undefined && !SQS_NAME.test(metadata.name)) {
    issues.push({
      path: "spec.queueName",
      message: `is required: metadata.name "${metadata.name}" is not a valid SQS name (1 to 80 of A-Za-z0-9_-, FIFO names end in .fifo)`,
    });
  }
  const where = spec.queueName === undefined ? "metadata.name" : "spec.queueName";
  if (spec.fifo && !name.endsWith(".fifo")) {
    issues.push({ path: where, message: `must end in .fifo for a FIFO queue (got "${name}")` });
  }
  if (!spec.fifo && name.endsWith(".fifo")) {
    issues.push({
      path: "spec.fifo",
      message: `must be true: the name "${name}" ends in .fifo, which only FIFO queues may`,
    });
  }
  if (spec.contentBasedDeduplication && !spec.fifo) {
    issues.push({
      path: "spec.contentBasedDeduplication",
      message: "works only on FIFO queues (fifo: true)",
    });
  }
  if (name.startsWith(INTERNAL_QUEUE_PREFIX)) {
    issues.push({
      path: where,
      message: `must not start with ${INTERNAL_QUEUE_PREFIX}: Kappa's internal queues use it`,
    });
  }
  if (spec.redrivePolicy?.deadLetterQueue === metadata.name) {
    issues.push({
      path: "spec.redrivePolicy.deadLetterQueue",
      message: "must name another queue, not this one",
    });
  }
  return issues;
};

export const queueTriggerRules: ResourceRule<QueueTrigger> = ({ spec }) =>
  spec.batchSize > 10 && spec.maximumBatchingWindowSeconds < 1
    ? [
        {
          path: "spec.maximumBatchingWindowSeconds",
          message: `must be at least 1 when batchSize is above 10 (batchSize ${spec.batchSize}), as in Lambda`,
        },
      ]
    : [];
