// One QueueTrigger at work, as Lambda's SQS event source mapping: long-poll the queue, gather a batch (batchSize,
// maximumBatchingWindowSeconds), invoke the function synchronously with the SQS event, delete what succeeded, and
// leave failures to reappear after the visibility timeout, so the queue's redrive policy moves them to its DLQ.
import type { Logger } from "pino";
import { sleep, type Clock } from "../clock.js";
import { errorMessage } from "../errors.js";
import { InvokeError, type Invoker } from "../invoker/invoker.js";
import type { ControllerMetrics } from "../metrics.js";
import { failedMessageIds, sqsEvent } from "./sqs-event.js";
import type { TriggerMessage, TriggerQueueEngine } from "./trigger-queue.js";

export interface QueueTriggerConfig {
  /** namespace/name of the QueueTrigger, for logs and metrics */
  key: string;
  namespace: string;
  functionName: string;
  queueName: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** concurrent batches; Lambda starts SQS mappings at 5 and grows; we cap when the spec leaves it open */
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
  region: string;
}

export interface TriggerRunnerStatus {
  state: "Running" | "QueueNotFound" | "InvokeFailing";
  message?: string;
  lastBatchTime?: number;
  activeBatches: number;
}

/** SQS long polls last at most 20 s. */
const LONG_POLL_SECONDS = 20;
/** Receive at most 10 per call, SQS's limit. */
const RECEIVE_MAX = 10;
/** After the platform (not the function) fails an invoke or a receive, wait before polling again. */
const ERROR_BACKOFF_MS = 1_000;
const MAX_ERROR_BACKOFF_MS = 30_000;

export class QueueTriggerRunner {
  private readonly abort = new AbortController();
  private readonly aborted = abortPromise(this.abort.signal);
  private readonly batches = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private errors = 0;
  private readonly current: TriggerRunnerStatus = { state: "Running", activeBatches: 0 };

  constructor(
    readonly config: QueueTriggerConfig,
    private readonly engine: TriggerQueueEngine,
    private readonly invoker: Invoker,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: ControllerMetrics,
    private readonly onStatus: (status: TriggerRunnerStatus) => void,
  ) {}

  start(): void {
    this.loop = this.run().catch((error) =>
      this.logger.error({ trigger: this.config.key, err: errorMessage(error) }, "queue trigger stopped"),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.allSettled([...this.batches]);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const queueArn = await this.queueArn();
    if (!queueArn) return;
    while (!this.stopped) {
      while (this.batches.size >= this.config.maxConcurrency && !this.stopped) {
        await Promise.race([...this.batches, this.aborted]);
      }
      if (this.stopped) break;
      let messages: TriggerMessage[];
      try {
        messages = await this.gather();
      } catch (error) {
        if (this.stopped) break;
        await this.failed(
          "QueueNotFound",
          `receive from queue ${this.config.queueName}: ${errorMessage(error)}`,
        );
        continue;
      }
      if (messages.length === 0) continue;
      const batch = this.deliver(messages, queueArn).finally(() => {
        this.batches.delete(batch);
        this.report({ activeBatches: this.batches.size });
      });
      this.batches.add(batch);
      this.report({ activeBatches: this.batches.size });
    }
  }

  private async queueArn(): Promise<string | undefined> {
    while (!this.stopped) {
      try {
        const attributes = await this.engine.getQueueAttributes({
          queueName: this.config.queueName,
          attributeNames: ["QueueArn"],
        });
        this.errors = 0;
        this.report({ state: "Running", message: undefined });
        return (
          attributes.QueueArn ?? `arn:aws:sqs:${this.config.region}:000000000000:${this.config.queueName}`
        );
      } catch (error) {
        await this.failed("QueueNotFound", `queue ${this.config.queueName}: ${errorMessage(error)}`);
      }
    }
    return undefined;
  }

  /** One long poll, then (with a batching window) more receives until the batch is full or the window closes. */
  private async gather(): Promise<TriggerMessage[]> {
    const { batchSize, maximumBatchingWindowSeconds, queueName } = this.config;
    const signal = this.abort.signal;
    const first = await this.engine.receiveMessage({
      queueName,
      maxNumberOfMessages: Math.min(RECEIVE_MAX, batchSize),
      waitTimeSeconds: LONG_POLL_SECONDS,
      signal,
    });
    const messages = [...first.messages];
    if (messages.length === 0 || maximumBatchingWindowSeconds === 0) return messages;
    const windowEnds = this.clock.now() + maximumBatchingWindowSeconds * 1000;
    while (messages.length < batchSize && !this.stopped) {
      const left = windowEnds - this.clock.now();
      if (left <= 0) break;
      const more = await this.engine.receiveMessage({
        queueName,
        maxNumberOfMessages: Math.min(RECEIVE_MAX, batchSize - messages.length),
        waitTimeSeconds: Math.max(0, Math.min(LONG_POLL_SECONDS, Math.floor(left / 1000))),
        signal,
      });
      messages.push(...more.messages);
      if (more.messages.length === 0 && left < 1000) break;
    }
    return messages;
  }

  private async deliver(messages: TriggerMessage[], queueArn: string): Promise<void> {
    const { key, namespace, functionName, queueName, region, reportBatchItemFailures } = this.config;
    const event = sqsEvent(messages, { queueArn, region });
    let toDelete: TriggerMessage[] = [];
    let result: "ok" | "partial" | "error" = "error";
    try {
      const response = await this.invoker.invoke(
        { namespace, name: functionName, payload: JSON.stringify(event), type: "RequestResponse" },
        this.abort.signal,
      );
      this.errors = 0;
      this.report({ state: "Running", message: undefined, lastBatchTime: this.clock.now() });
      if (response.functionError) {
        this.logger.info(
          { trigger: key, messages: messages.length, error: response.payload.slice(0, 500) },
          "function failed the batch; messages return after the visibility timeout",
        );
      } else if (reportBatchItemFailures) {
        const failed = failedMessageIds(
          response.payload,
          messages.map((m) => m.messageId),
        );
        if (failed.all) {
          this.logger.info(
            { trigger: key },
            "invalid batchItemFailures response: the whole batch returns to the queue",
          );
        } else {
          toDelete = messages.filter((m) => !failed.ids.has(m.messageId));
          result = failed.ids.size > 0 ? "partial" : "ok";
        }
      } else {
        toDelete = messages;
        result = "ok";
      }
    } catch (error) {
      if (this.stopped) return;
      const reason = error instanceof InvokeError ? error.code : "InvokeFailed";
      await this.failed(
        "InvokeFailing",
        `invoke ${namespace}/${functionName}: ${reason}: ${errorMessage(error)}`,
      );
    }
    this.metrics.triggerBatches.inc({ trigger: key, result });
    await Promise.all(
      toDelete.map((m) =>
        this.engine
          .deleteMessage({ queueName, receiptHandle: m.receiptHandle })
          .catch((error) =>
            this.logger.warn(
              { trigger: key, messageId: m.messageId, err: errorMessage(error) },
              "delete failed; the message will be delivered again",
            ),
          ),
      ),
    );
  }

  private async failed(state: TriggerRunnerStatus["state"], message: string): Promise<void> {
    this.errors++;
    this.report({ state, message });
    this.logger.warn(
      { trigger: this.config.key, failures: this.errors, err: message },
      "queue trigger backing off",
    );
    await sleep(
      this.clock,
      Math.min(MAX_ERROR_BACKOFF_MS, ERROR_BACKOFF_MS * 2 ** Math.min(this.errors - 1, 10)),
      this.abort.signal,
    );
  }

  private report(change: Partial<TriggerRunnerStatus>): void {
    Object.assign(this.current, change);
    this.onStatus({ ...this.current });
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
