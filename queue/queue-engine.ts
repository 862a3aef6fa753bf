// QueueEngine: SQS semantics on Redis. Every state change is one Lua script (queue/scripts/); methods are named
// after the SQS actions. Used by the SQS API (gateway/sqs), the gateway's async invoke path and the
// controller's queue triggers. See docs/queues.md.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ArnContext } from "./attributes.js";
import type { EngineContext } from "./context.js";
import { QueueKeys } from "./keys.js";
import { createQueueMetrics } from "./metrics.js";
import { MoveTasks } from "./move-tasks.js";
import { Outbox } from "./outbox.js";
import { QueueAdmin } from "./queue-admin.js";
import { QueueMessages } from "./queue-messages.js";
import { QueueScripts, type RedisClient } from "./scripts.js";
import type {
  BatchOutput,
  BatchReceiptEntry,
  ChangeMessageVisibilityInput,
  CreateQueueInput,
  DeleteMessageInput,
  GetQueueAttributesInput,
  ListDeadLetterSourceQueuesInput,
  ListQueuesInput,
  ListQueuesOutput,
  MessageMoveTask,
  QueueAttributeMap,
  QueueClock,
  QueueInfo,
  QueueRef,
  ReceiveMessageInput,
  ReceiveMessageOutput,
  SendMessageBatchInput,
  SendMessageBatchOutput,
  SendMessageInput,
  SendMessageOutput,
  SetQueueAttributesInput,
  StartMessageMoveTaskInput,
} from "./types.js";
import { WakeHub } from "./wake-hub.js";

export interface QueueEngineOptions {
  /** ioredis client: a single Redis or a Cluster. The engine adds a subscriber connection for long polls. */
  redis: RedisClient;
  /** Key prefix, default "kappa:sqs". */
  prefix?: string;
  /** Test-only offset added to Redis server time. */
  clock?: QueueClock;
  logger?: Logger;
  /** prom-client registry for the queue metrics; none registered without it. */
  registry?: Registry;
  /** For ARNs: default us-east-1 and 000000000000. */
  region?: string;
  accountId?: string;
  /** How long a deleted queue's name cannot be reused (SQS: 60 s). */
  deletedQueueNameReuseSeconds?: number;
}

export class QueueEngine {
  readonly arnContext: ArnContext;
  private readonly admin: QueueAdmin;
  private readonly messages: QueueMessages;
  private readonly moveTasks: MoveTasks;
  private readonly wakeHub: WakeHub;

  constructor(options: QueueEngineOptions) {
    const keys = new QueueKeys(options.prefix ?? "kappa:sqs");
    this.arnContext = {
      region: options.region ?? "us-east-1",
      accountId: options.accountId ?? "000000000000",
    };
    const context: EngineContext = {
      redis: options.redis,
      scripts: new QueueScripts(options.redis),
      keys,
      arn: this.arnContext,
      offsetMs: () => options.clock?.offsetMs() ?? 0,
      logger: options.logger,
    };
    this.admin = new QueueAdmin(context, (options.deletedQueueNameReuseSeconds ?? 60) * 1000);
    if (options.registry)
      context.metrics = createQueueMetrics(options.registry, (limit) => this.admin.depths(limit));
    const outbox = new Outbox(context);
    this.wakeHub = new WakeHub(options.redis);
    this.messages = new QueueMessages(context, this.wakeHub, outbox);
    this.moveTasks = new MoveTasks(
      context,
      outbox,
      async (name) =>
        (await this.admin.listDeadLetterSourceQueues({ queueName: name })).queueNames.length > 0,
    );
  }

  createQueue(input: CreateQueueInput): Promise<QueueInfo> {
    return this.admin.createQueue(input);
  }
  /** GetQueueUrl's lookup: the queue's name and ARN, or QueueDoesNotExist. */
  getQueue(input: QueueRef): Promise<QueueInfo> {
    return this.admin.getQueue(input);
  }
  listQueues(input?: ListQueuesInput): Promise<ListQueuesOutput> {
    return this.admin.listQueues(input);
  }
  getQueueAttributes(input: GetQueueAttributesInput): Promise<QueueAttributeMap> {
    return this.admin.getQueueAttributes(input);
  }
  setQueueAttributes(input: SetQueueAttributesInput): Promise<void> {
    return this.admin.setQueueAttributes(input);
  }
  purgeQueue(input: QueueRef): Promise<void> {
    return this.admin.purgeQueue(input);
  }
  deleteQueue(input: QueueRef): Promise<void> {
    return this.admin.deleteQueue(input);
  }
  listDeadLetterSourceQueues(input: ListDeadLetterSourceQueuesInput): Promise<ListQueuesOutput> {
    return this.admin.listDeadLetterSourceQueues(input);
  }
  sendMessage(input: SendMessageInput): Promise<SendMessageOutput> {
    return this.messages.sendMessage(input);
  }
  sendMessageBatch(input: SendMessageBatchInput): Promise<SendMessageBatchOutput> {
    return this.messages.sendMessageBatch(input);
  }
  receiveMessage(input: ReceiveMessageInput): Promise<ReceiveMessageOutput> {
    return this.messages.receiveMessage(input);
  }
  deleteMessage(input: DeleteMessageInput): Promise<void> {
    return this.messages.deleteMessage(input);
  }
  deleteMessageBatch(input: QueueRef & { entries: BatchReceiptEntry[] }): Promise<BatchOutput> {
    return this.messages.deleteMessageBatch(input);
  }
  changeMessageVisibility(input: ChangeMessageVisibilityInput): Promise<void> {
    return this.messages.changeMessageVisibility(input);
  }
  changeMessageVisibilityBatch(
    input: QueueRef & { entries: (BatchReceiptEntry & { visibilityTimeout: number })[] },
  ): Promise<BatchOutput> {
    return this.messages.changeMessageVisibilityBatch(input);
  }
  startMessageMoveTask(input: StartMessageMoveTaskInput): Promise<{ taskHandle: string }> {
    return this.moveTasks.start(input);
  }
  listMessageMoveTasks(input: { sourceArn: string; maxResults?: number }): Promise<MessageMoveTask[]> {
    return this.moveTasks.list(input.sourceArn, input.maxResults ?? 1);
  }
  cancelMessageMoveTask(input: {
    taskHandle: string;
  }): Promise<{ approximateNumberOfMessagesMoved: number }> {
    return this.moveTasks.cancel(input.taskHandle);
  }

  /** Stops background move tasks and the long-poll subscriber; the caller owns (and closes) `redis`. */
  async close(): Promise<void> {
    await this.moveTasks.close();
    await this.wakeHub.close();
  }
}
