// Local mode's Queue reconciler: every Queue resource in the store exists in the queue engine with the
// attributes its spec says. Level-triggered: on any Queue change it walks all queues again. A Queue removed
// from the folder is NOT deleted from the engine: that would silently drop its messages; the user deletes it
// explicitly (SQS DeleteQueue) if that is what they want.
import type { Logger } from "pino";
import type { Queue } from "../../api/resources/queue.js";
import { sqsQueueName } from "../../api/resources/queue.js";
import type { ResourceStore } from "../../api/store.js";
import { isQueueError, queueArn, type QueueEngine } from "../../queue/index.js";

export function queueAttributes(
  queue: Queue,
  arnOf: (name: string) => string,
  nameOf: (resourceName: string) => string,
): Record<string, string> {
  const s = queue.spec;
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(s.visibilityTimeout),
    DelaySeconds: String(s.delaySeconds),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    MaximumMessageSize: String(s.maximumMessageSize),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
  };
  if (s.fifo) {
    attributes.FifoQueue = "true";
    attributes.ContentBasedDeduplication = String(s.contentBasedDeduplication);
  }
  if (s.redrivePolicy) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arnOf(nameOf(s.redrivePolicy.deadLetterQueue)),
      maxReceiveCount: s.redrivePolicy.maxReceiveCount,
    });
  }
  return attributes;
}

export class QueueSync {
  private running: Promise<void> = Promise.resolve();
  private readonly unwatch: () => void;

  constructor(
    private readonly store: ResourceStore,
    private readonly engine: QueueEngine,
    private readonly logger: Logger,
    private readonly onProblem: (queue: string, message: string) => void,
  ) {
    this.unwatch = store.onChange((event) => {
      if (event.resource.kind === "Queue" && event.type === "upsert") void this.sync();
    });
  }

  /** Serialized: a burst of changes runs one pass after another, never two at once. */
  sync(): Promise<void> {
    this.running = this.running
      .then(() => this.syncAll())
      .catch((error) => this.logger.error({ err: error }, "queue sync failed"));
    return this.running;
  }

  private async syncAll(): Promise<void> {
    const queues = this.store.list<Queue>("Queue");
    const nameIn = (namespace: string) => (resourceName: string) => {
      const target = this.store.get<Queue>("Queue", namespace, resourceName);
      return target ? sqsQueueName(target) : resourceName;
    };
    const arnOf = (name: string) => queueArn(this.engine.arnContext, name);
    // Dead-letter queues first: a redrive policy names a queue that should already exist.
    const ordered = [...queues].sort(
      (a, b) => Number(Boolean(a.spec.redrivePolicy)) - Number(Boolean(b.spec.redrivePolicy)),
    );
    for (const queue of ordered) {
      const queueName = sqsQueueName(queue);
      const attributes = queueAttributes(queue, arnOf, nameIn(queue.metadata.namespace));
      try {
        await this.engine.createQueue({ queueName, attributes });
      } catch (error) {
        if (!isQueueError(error) || error.code !== "QueueNameExists") {
          this.onProblem(queueName, (error as Error).message);
          continue;
        }
        // It exists with other attributes (an edit of the manifest): bring them in line, keeping its messages.
        const { FifoQueue: _fifo, ...mutable } = attributes;
        try {
          await this.engine.setQueueAttributes({ queueName, attributes: mutable });
        } catch (setError) {
          this.onProblem(queueName, (setError as Error).message);
        }
      }
    }
  }

  close(): void {
    this.unwatch();
  }
}
