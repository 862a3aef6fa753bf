// Accepting an Event invocation: the payload goes to the function's internal queue, and only once the queue
// engine has it in Redis does the caller get 202. The dispatcher (dispatcher.ts) takes it from there.
import type { QueueEngine } from "../../queue/index.js";
import type { Clock } from "../clock.js";
import type { FunctionSettings } from "../functions.js";
import type { GatewayMetrics } from "../metrics.js";
import { AsyncQueues, envelopeAttributes } from "./async-queue.js";

export class AsyncInvoker {
  readonly queues: AsyncQueues;

  constructor(
    private readonly engine: QueueEngine,
    private readonly clock: Clock,
    private readonly metrics: GatewayMetrics,
  ) {
    this.queues = new AsyncQueues(engine);
  }

  async enqueue(
    fn: FunctionSettings,
    payload: Buffer | string,
    requestId: string,
    invokedArn?: string,
  ): Promise<void> {
    const queueName = await this.queues.ensure(fn.namespace, fn.name);
    await this.engine.sendMessage({
      queueName,
      body: typeof payload === "string" ? payload : payload.toString("utf8"),
      messageAttributes: envelopeAttributes({
        requestId,
        enqueuedAt: this.clock.now(),
        priorAttempts: 0,
        throttles: 0,
        invokedArn,
      }),
    });
    this.metrics.asyncEvent(`${fn.namespace}/${fn.name}`, "accepted");
  }
}
