// The queue engine's public surface (see docs/queues.md).
export { QueueEngine, type QueueEngineOptions } from "./queue-engine.js";
export { QueueError, QUEUE_ERRORS, isQueueError, type QueueErrorCode } from "./errors.js";
export { md5OfBody, md5OfMessageAttributes } from "./checksums.js";
export { queueArn, queueNameFromArn, isFifoName } from "./attributes.js";
export type * from "./types.js";
