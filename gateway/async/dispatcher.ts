// Runs Event invocations: one receive loop per Function over its internal queue (async-queue.ts). Any gateway
// replica may run it — a receive hides the message from every other receiver — and a gateway that dies mid-way
// loses nothing: the message becomes visible again when its visibility timeout ends.
//
// Per message (attempt = invocations so far including this one):
//   - older than spec.async.maxEventAgeSeconds            -> onFailure record (EventAgeExceeded), delete
//   - invoke; success                                      -> onSuccess record if set, delete
//   - function error or timeout, retries left              -> visible again after the retry delay (1 min, 2 min)
//   - function error or timeout, no retries left           -> onFailure record (RetriesExhausted), delete
//   - throttled / no instance (not the function's fault)   -> re-sent with backoff 1 s doubling to 5 min, not
//                                                             counted as an attempt (as Lambda does), delete
// If sending a record fails, the message is kept; its next receive finds attempts used up and tries again.
import type { Logger } from "pino";
import type { ResourceStore } from "../../api/store.js";
import type { QueueEngine, ReceivedMessage } from "../../queue/index.js";
import { NoInstanceAvailable } from "../activator/activator.js";
import type { Clock } from "../clock.js";
import type { FunctionCatalog, FunctionSettings } from "../functions.js";
import { isHttpError } from "../http/http-error.js";
import { ResponseTooLarge } from "../invoke/agent-call.js";
import { InstancesFailing, InvokeTimeout, type Invoker } from "../invoke/invoker.js";
import { functionArn } from "../lambda/function-name.js";
import type { GatewayLimits } from "../limits.js";
import type { GatewayMetrics } from "../metrics.js";
import { envelopeAttributes, envelopeOf, type AsyncEnvelope, type AsyncQueues } from "./async-queue.js";
import { destinationQueueName, destinationRecord, type DestinationCondition } from "./destination.js";

/** SQS's longest receive wait: one Redis round trip per 20 s per idle function. */
const RECEIVE_WAIT_SECONDS = 20;
/** Throttled events back off from 1 s, doubling, up to Lambda's 5 min. */
const THROTTLE_BACKOFF_MAX_SECONDS = 300;
/** Beyond the function's timeout, how long a received event stays hidden before another gateway may take it. */
const VISIBILITY_MARGIN_SECONDS = 30;
const ERROR_PAUSE_MS = 1_000;

export interface AsyncDispatcherOptions {
  engine: QueueEngine;
  store: ResourceStore;
  catalog: FunctionCatalog;
  invoker: Invoker;
  asyncQueues: AsyncQueues;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  limits: Pick<GatewayLimits, "asyncRetryDelaysSeconds" | "asyncConcurrencyPerFunction">;
  region?: string;
  defaultNamespace?: string;
}

interface Loop {
  abort: AbortController;
  done: Promise<void>;
}

export class AsyncDispatcher {
  private readonly loops = new Map<string, Loop>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: AsyncDispatcherOptions) {}

  start(): void {
    this.unsubscribe = this.options.store.onChange((event) => {
      if (event.resource.kind === "Function") this.sync();
    });
    this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) loop.abort.abort();
    await Promise.all(loops.map((loop) => loop.done));
  }

  /** One loop per existing Function; loops of deleted Functions stop. */
  private sync(): void {
    if (this.stopped) return;
    const wanted = new Map(this.options.catalog.list().map((fn) => [`${fn.namespace}/${fn.name}`, fn]));
    for (const [key, loop] of this.loops) {
      if (!wanted.has(key)) {
        loop.abort.abort();
        this.loops.delete(key);
      }
    }
    for (const [key, fn] of wanted) {
      if (this.loops.has(key)) continue;
      const abort = new AbortController();
      this.loops.set(key, { abort, done: this.run(fn.namespace, fn.name, abort.signal) });
    }
  }

  private async run(namespace: string, name: string, signal: AbortSignal): Promise<void> {
    const { engine, asyncQueues, catalog, logger, limits } = this.options;
    const active = new Set<Promise<void>>();
    while (!signal.aborted) {
      try {
        const fn = catalog.get(namespace, name);
        if (!fn) return;
        if (active.size >= limits.asyncConcurrencyPerFunction) {
          await Promise.race(active);
          continue;
        }
        const queueName = await asyncQueues.ensure(namespace, name);
        const { messages } = await engine.receiveMessage({
          queueName,
          maxNumberOfMessages: Math.min(10, limits.asyncConcurrencyPerFunction - active.size),
          waitTimeSeconds: RECEIVE_WAIT_SECONDS,
          visibilityTimeout: Math.ceil(fn.timeoutMs / 1000) + VISIBILITY_MARGIN_SECONDS,
          signal,
        });
        for (const message of messages) {
          const work: Promise<void> = this.process(fn, queueName, message)
            .catch((error: unknown) =>
              logger.error({ err: error, function: `${namespace}/${name}` }, "async event failed"),
            )
            .finally(() => active.delete(work));
          active.add(work);
        }
      } catch (error) {
        if (signal.aborted) break;
        logger.warn({ err: error, function: `${namespace}/${name}` }, "async receive failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, ERROR_PAUSE_MS));
      }
    }
    await Promise.all(active);
  }

  private async process(fn: FunctionSettings, queueName: string, message: ReceivedMessage): Promise<void> {
    const { engine, invoker, clock, metrics, limits } = this.options;
    const key = `${fn.namespace}/${fn.name}`;
    const envelope = envelopeOf(message);
    const receiveCount = Number(message.attributes.ApproximateReceiveCount) || 1;
    const attempt = envelope.priorAttempts + receiveCount;
    const now = clock.now();
    const remove = () => engine.deleteMessage({ queueName, receiptHandle: message.receiptHandle });

    if (now - envelope.enqueuedAt > fn.async.maxEventAgeSeconds * 1000) {
      metrics.asyncEvent(key, "expired");
      await this.finish(fn, envelope, message.body, "EventAgeExceeded", attempt - 1);
      await remove();
      return;
    }
    if (attempt > fn.async.maxRetries + 1) {
      // Attempts already used up: an earlier run failed to deliver the record (or died before it could).
      await this.finish(fn, envelope, message.body, "RetriesExhausted", attempt - 1);
      await remove();
      return;
    }

    let result: { payload: Buffer; functionError?: string };
    try {
      result = await invoker.invoke(fn, {
        requestId: envelope.requestId,
        payload: Buffer.from(message.body, "utf8"),
        timeoutMs: fn.timeoutMs,
        graceMs: 1_000,
        invokedArn: envelope.invokedArn,
      });
    } catch (error) {
      if (isThrottle(error)) {
        await this.requeueThrottled(queueName, message, envelope, attempt - 1);
        metrics.throttle(key, "async-requeued");
        return;
      }
      if (!(error instanceof InvokeTimeout) && !(error instanceof ResponseTooLarge)) throw error;
      result = {
        payload: Buffer.from(JSON.stringify({ errorType: "Sandbox.Timedout", errorMessage: error.message })),
        functionError: "Unhandled",
      };
    }

    if (!result.functionError) {
      metrics.asyncEvent(key, "succeeded");
      if (fn.async.onSuccess) await this.finish(fn, envelope, message.body, "Success", attempt, result);
      await remove();
      return;
    }
    if (attempt <= fn.async.maxRetries) {
      const delays = limits.asyncRetryDelaysSeconds;
      const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 60;
      metrics.asyncEvent(key, "retried");
      await engine.changeMessageVisibility({
        queueName,
        receiptHandle: message.receiptHandle,
        visibilityTimeout: delay,
      });
      return;
    }
    metrics.asyncEvent(key, "failed");
    await this.finish(fn, envelope, message.body, "RetriesExhausted", attempt, result);
    await remove();
  }

  private async requeueThrottled(
    queueName: string,
    message: ReceivedMessage,
    envelope: AsyncEnvelope,
    attemptsSoFar: number,
  ): Promise<void> {
    const delay = Math.min(THROTTLE_BACKOFF_MAX_SECONDS, 2 ** envelope.throttles);
    // Send the copy before deleting the original: a crash in between duplicates the event, never loses it.
    await this.options.engine.sendMessage({
      queueName,
      body: message.body,
      delaySeconds: delay,
      messageAttributes: envelopeAttributes({
        ...envelope,
        priorAttempts: attemptsSoFar,
        throttles: envelope.throttles + 1,
      }),
    });
    await this.options.engine.deleteMessage({ queueName, receiptHandle: message.receiptHandle });
  }

  /** Sends the destination record for a finished event when the function has a destination for it. */
  private async finish(
    fn: FunctionSettings,
    envelope: AsyncEnvelope,
    payload: string,
    condition: DestinationCondition,
    invokeCount: number,
    response?: { payload: Buffer; functionError?: string },
  ): Promise<void> {
    const target = condition === "Success" ? fn.async.onSuccess : fn.async.onFailure;
    const { logger, store, engine, clock } = this.options;
    if (!target) {
      if (condition !== "Success")
        logger.warn(
          { function: `${fn.namespace}/${fn.name}`, requestId: envelope.requestId, condition },
          "async event dropped: no onFailure queue",
        );
      return;
    }
    const defaultNamespace = this.options.defaultNamespace ?? "default";
    const body = destinationRecord({
      at: clock.now(),
      requestId: envelope.requestId,
      functionArn: functionArn(this.options.region ?? "us-east-1", fn.namespace, fn.name, defaultNamespace),
      condition,
      approximateInvokeCount: invokeCount,
      requestPayload: payload,
      response,
    });
    await engine.sendMessage({ queueName: destinationQueueName(store, fn.namespace, target), body });
  }
}

function isThrottle(error: unknown): boolean {
  return (
    error instanceof NoInstanceAvailable ||
    error instanceof InstancesFailing ||
    (isHttpError(error) && error.status === 429)
  );
}
