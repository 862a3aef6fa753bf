// Keeps one runner per QueueTrigger and per Schedule in step with the store: a new or changed resource (re)starts
// its runner, a deleted one stops it, an unchanged one is left alone (sync is idempotent and cheap).
import type { Logger } from "pino";
import type { Queue, QueueTrigger, Schedule } from "../../api/index.js";
import type { ResourceStore, StoredResource } from "../../api/store.js";
import type { Clock } from "../clock.js";
import type { Invoker } from "../invoker/invoker.js";
import type { ControllerMetrics } from "../metrics.js";
import { parseSchedule, ScheduleExpressionError } from "../schedules/expression.js";
import { ScheduleRunner, type ScheduleRunnerStatus } from "../schedules/schedule-runner.js";
import { ConditionTypes, markCondition, type Status, type StatusWriter } from "../status.js";
import { QueueTriggerRunner, type TriggerRunnerStatus } from "./queue-trigger-runner.js";
import type { TriggerQueueEngine } from "./trigger-queue.js";

export interface TriggerManagerOptions {
  store: ResourceStore;
  queueEngine?: TriggerQueueEngine;
  invoker?: Invoker;
  statusWriter: StatusWriter;
  metrics: ControllerMetrics;
  clock: Clock;
  logger: Logger;
  region: string;
}

/** Lambda starts an SQS mapping at 5 concurrent batches; without maxConcurrency we stay there on one machine. */
const DEFAULT_TRIGGER_CONCURRENCY = 5;
/** Status writes of a busy trigger are coalesced to one a second; state changes are written at once. */
const STATUS_THROTTLE_MS = 1_000;

interface Running<R> {
  fingerprint: string;
  runner?: R;
}

export class TriggerManager {
  private readonly triggers = new Map<string, Running<QueueTriggerRunner>>();
  private readonly schedules = new Map<string, Running<ScheduleRunner>>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly throttles = new Map<
    string,
    { timer?: NodeJS.Timeout; pending?: () => Promise<void>; state?: string }
  >();
  private closed = false;

  constructor(private readonly options: TriggerManagerOptions) {}

  sync(): void {
    if (this.closed) return;
    this.syncTriggers();
    this.syncSchedules();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.throttles.values()) clearTimeout(t.timer);
    const runners = [...this.triggers.values(), ...this.schedules.values()].flatMap((r) =>
      r.runner ? [r.runner] : [],
    );
    this.triggers.clear();
    this.schedules.clear();
    await Promise.allSettled([...runners.map((r) => r.stop()), ...this.stopping]);
  }

  private syncTriggers(): void {
    const { store, queueEngine, invoker } = this.options;
    const seen = new Set<string>();
    for (const trigger of store.list<QueueTrigger>("QueueTrigger")) {
      const { namespace, name, generation } = trigger.metadata;
      const key = `${namespace}/${name}`;
      seen.add(key);
      const spec = trigger.spec;
      const queue = store.get<Queue>("Queue", namespace, spec.queue);
      const queueName = queue?.spec?.queueName ?? spec.queue;
      const fingerprint = JSON.stringify({ spec, queueName, generation });
      const existing = this.triggers.get(key);
      if (existing?.fingerprint === fingerprint) continue;
      if (existing?.runner) this.stopInBackground(existing.runner);
      const running: Running<QueueTriggerRunner> = { fingerprint };
      this.triggers.set(key, running);
      const write = (ready: boolean, reason: string, message?: string, extra: Record<string, unknown> = {}) =>
        this.writeStatus(trigger, ready, reason, message, extra);
      if (spec.enabled === false) {
        void write(false, "Disabled", "spec.enabled is false");
        continue;
      }
      if (!queueEngine || !invoker) {
        void write(
          false,
          "NotConfigured",
          "this controller runs without a queue engine or invoker; queue triggers need both",
        );
        continue;
      }
      running.runner = new QueueTriggerRunner(
        {
          key,
          namespace,
          functionName: spec.function,
          queueName,
          batchSize: spec.batchSize ?? 10,
          maximumBatchingWindowSeconds: spec.maximumBatchingWindowSeconds ?? 0,
          maxConcurrency: spec.maxConcurrency ?? DEFAULT_TRIGGER_CONCURRENCY,
          reportBatchItemFailures: spec.reportBatchItemFailures ?? false,
          region: this.options.region,
        },
        queueEngine,
        invoker,
        this.options.clock,
        this.options.logger,
        this.options.metrics,
        (status: TriggerRunnerStatus) =>
          this.throttled(key, status.state, () =>
            write(status.state === "Running", status.state, status.message, {
              activeBatches: status.activeBatches,
              ...(status.lastBatchTime
                ? { lastBatchTime: new Date(status.lastBatchTime).toISOString() }
                : {}),
            }),
          ),
      );
      running.runner.start();
    }
    for (const [key, running] of this.triggers) {
      if (seen.has(key)) continue;
      this.triggers.delete(key);
      if (running.runner) this.stopInBackground(running.runner);
      const [namespace, name] = splitKey(key);
      void this.options.statusWriter.remove("QueueTrigger", namespace, name);
    }
  }

  private syncSchedules(): void {
    const { store, invoker } = this.options;
    const seen = new Set<string>();
    for (const schedule of store.list<Schedule>("Schedule")) {
      const { namespace, name, generation } = schedule.metadata;
      const key = `${namespace}/${name}`;
      seen.add(key);
      const spec = schedule.spec;
      const fingerprint = JSON.stringify({ spec, generation });
      const existing = this.schedules.get(key);
      if (existing?.fingerprint === fingerprint) continue;
      if (existing?.runner) this.stopInBackground(existing.runner);
      const running: Running<ScheduleRunner> = { fingerprint };
      this.schedules.set(key, running);
      const write = (ready: boolean, reason: string, message?: string, extra: Record<string, unknown> = {}) =>
        this.writeStatus(schedule, ready, reason, message, extra);
      if (spec.enabled === false) {
        void write(false, "Disabled", "spec.enabled is false");
        continue;
      }
      let parsed;
      try {
        parsed = parseSchedule(spec.expression ?? "");
      } catch (error) {
        if (!(error instanceof ScheduleExpressionError)) throw error;
        void write(false, "InvalidExpression", error.message);
        continue;
      }
      if (!invoker) {
        void write(false, "NotConfigured", "this controller runs without an invoker; schedules need one");
        continue;
      }
      running.runner = new ScheduleRunner(
        {
          key,
          namespace,
          name,
          functionName: spec.function,
          schedule: parsed,
          timezone: spec.timezone ?? "UTC",
          payload: spec.payload,
          region: this.options.region,
        },
        invoker,
        this.options.clock,
        this.options.logger,
        this.options.metrics,
        (status: ScheduleRunnerStatus) =>
          void write(true, "Scheduled", undefined, {
            ...(status.lastScheduleTime
              ? { lastScheduleTime: new Date(status.lastScheduleTime).toISOString() }
              : {}),
            ...(status.nextScheduleTime
              ? { nextScheduleTime: new Date(status.nextScheduleTime).toISOString() }
              : {}),
            ...(status.lastResult ? { lastResult: status.lastResult } : {}),
          }),
      );
      running.runner.start();
    }
    for (const [key, running] of this.schedules) {
      if (seen.has(key)) continue;
      this.schedules.delete(key);
      if (running.runner) this.stopInBackground(running.runner);
      const [namespace, name] = splitKey(key);
      void this.options.statusWriter.remove("Schedule", namespace, name);
    }
  }

  private stopInBackground(runner: { stop(): Promise<void> }): void {
    const stop = runner.stop().finally(() => this.stopping.delete(stop));
    this.stopping.add(stop);
  }

  /** Runs `write` now when `state` changed, else at most once per STATUS_THROTTLE_MS (the latest one wins). */
  private throttled(key: string, state: string, write: () => Promise<void>): void {
    const entry = this.throttles.get(key) ?? {};
    this.throttles.set(key, entry);
    if (entry.state !== state) {
      entry.state = state;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.pending = undefined;
      void write();
      return;
    }
    entry.pending = write;
    if (entry.timer) return;
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const pending = entry.pending;
      entry.pending = undefined;
      if (pending && !this.closed) void pending();
    }, STATUS_THROTTLE_MS);
    entry.timer.unref();
  }

  private async writeStatus(
    resource: StoredResource,
    ready: boolean,
    reason: string,
    message: string | undefined,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const { kind, metadata } = resource;
    const previous: Status = this.options.statusWriter.read(kind, metadata.namespace, metadata.name) ?? {};
    const conditions = markCondition(
      previous.conditions,
      {
        type: ConditionTypes.ready,
        status: ready ? "True" : "False",
        reason,
        ...(message ? { message: message.slice(0, 32768) } : {}),
        observedGeneration: metadata.generation,
      },
      this.options.clock.now(),
    );
    const { conditions: _c, observedGeneration: _o, ...rest } = previous;
    await this.options.statusWriter
      .write(kind, metadata.namespace, metadata.name, {
        ...rest,
        ...extra,
        conditions,
        observedGeneration: metadata.generation,
      })
      .catch((error: Error) =>
        this.options.logger.warn(
          { resource: `${kind}/${metadata.namespace}/${metadata.name}`, err: error.message },
          "status write failed",
        ),
      );
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}
