// Reconciles one Function key (STYLE.md §4): read the Function and its instances, compute the desired state with
// pure functions (functionConfig, resolveCode, revisionOf, the autoscaler's decision, planInstances), and write only
// the difference: launches, stops, the Redis instance registry (ready instances only) and the status.
import type { Logger } from "pino";
import type { InstanceRecord } from "../../api/instances.js";
import type { KappaFunction } from "../../api/index.js";
import type { ResourceStore } from "../../api/store.js";
import type { Autoscaler } from "../autoscaler/autoscaler.js";
import { splitKey } from "../autoscaler/autoscaler.js";
import type { InstanceBackend, InstanceStatus } from "../backends/instance-backend.js";
import { ownerKey } from "../backends/instance-backend.js";
import type { Clock } from "../clock.js";
import { RetryError, TerminalError } from "../errors.js";
import type { ControllerMetrics } from "../metrics.js";
import type { InstanceRegistry } from "../registry/instance-registry.js";
import { ConditionTypes, markCondition, Reasons, type StatusWriter } from "../status.js";
import type { ReconcileResult } from "../work-queue.js";
import { resolveCode } from "./code.js";
import { functionConfig, type FunctionConfig } from "./function-config.js";
import type { Launcher } from "./launcher.js";
import { planInstances } from "./plan.js";
import { makeSpecializeRequest, revisionOf } from "./revision.js";

export interface FunctionReconcilerDeps {
  store: ResourceStore;
  backend: InstanceBackend;
  registry: InstanceRegistry;
  autoscaler: Autoscaler;
  launcher: Launcher;
  statusWriter: StatusWriter;
  metrics: ControllerMetrics;
  clock: Clock;
  logger: Logger;
  /** where the gateway serves functions, e.g. http://127.0.0.1:8080; status.url = <base>/function/<ns>/<name> */
  functionUrlBase?: string;
}

/** In-flight invocations get up to their timeout to finish when an instance is retired, but no more than 30 s. */
const MAX_STOP_GRACE_MS = 30_000;

export class FunctionReconciler {
  private readonly stopping = new Set<string>();
  private readonly stops = new Set<Promise<void>>();
  private readonly lastScale = new Map<string, { desired: number; at: string }>();
  /** functions whose registry this controller wrote, so close() can empty them */
  readonly written = new Set<string>();

  constructor(private readonly deps: FunctionReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { store, backend, autoscaler, launcher, clock } = this.deps;
    const [namespace, name] = splitKey(key);
    const now = clock.now();
    const instances = backend
      .list()
      .filter((i) => i.owner && ownerKey(i.owner) === key && !this.stopping.has(i.id));
    const resource = store.get<KappaFunction>("Function", namespace, name);
    if (!resource) return this.remove(key, instances);

    let config: FunctionConfig;
    try {
      config = functionConfig(resource);
    } catch (error) {
      if (!(error instanceof TerminalError)) throw error;
      await this.writeStatus(resource, { ready: false, reason: error.reason, message: error.message });
      return;
    }
    let code;
    try {
      code = resolveCode(config, store);
    } catch (error) {
      if (!(error instanceof TerminalError) && !(error instanceof RetryError)) throw error;
      const reason = error instanceof TerminalError ? error.reason : "CodeNotFound";
      await this.writeStatus(resource, { ready: false, codeReady: false, reason, message: error.message });
      if (error instanceof RetryError) throw error;
      return;
    }
    const revision = revisionOf(config, code.codeSha256);
    const desired = autoscaler.track(key, config);
    this.deps.metrics.desiredInstances.set({ function: key }, desired);

    const launching = launcher.inProgress(key, revision);
    const plan = planInstances({
      desired,
      revision,
      instances,
      launching: launching.count,
      launchingIds: launching.ids,
    });
    const failure = launcher.failure(key, revision);
    const backingOff = failure !== undefined && failure.retryAt > now;
    if (!backingOff) {
      const specialize = makeSpecializeRequest(config, code);
      for (let i = 0; i < plan.start; i++) {
        launcher.launch({ key, revision, runtime: config.runtime, memoryMiB: config.memoryMiB, specialize });
      }
    }

    const byId = new Map(instances.map((i) => [i.id, i]));
    const records = plan.serving.map((p) => toRecord(byId.get(p.id)!));
    const changed = await this.deps.registry.replace(namespace, name, records);
    this.written.add(key);
    this.deps.metrics.readyInstances.set({ function: key }, records.length);
    if (changed && records.length > 0) {
      const coldStartMs = autoscaler.takeColdStart(key);
      if (coldStartMs !== undefined) {
        this.deps.metrics.coldStartSeconds.observe({ source: "demand" }, coldStartMs / 1000);
        this.deps.logger.info({ function: key, coldStartMs }, "cold start: demand to ready in registry");
      }
    }
    this.retire(plan.stop, config.timeoutSeconds * 1000);

    const scale = this.scaleTime(key, desired, now);
    const hasCurrent = plan.serving.some((p) => p.revision === revision);
    const initError = plan.serving.map((p) => byId.get(p.id)?.initError).find((e) => e !== undefined);
    await this.writeStatus(resource, {
      ready: !(failure && !hasCurrent && records.length === 0),
      reason: failure && !hasCurrent ? Reasons.instanceFailed : undefined,
      message:
        failure && !hasCurrent
          ? `instance failed to start (${failure.count}x): ${failure.message}`
          : undefined,
      codeReady: true,
      active: records.length > 0 ? Reasons.serving : desired > 0 ? Reasons.activating : Reasons.scaledToZero,
      instances: records.length + launcher.inProgress(key, revision).count,
      readyInstances: records.length,
      codeSha256: code.codeSha256,
      lastScaleTime: scale,
      initError: records.length > 0 ? (initError ?? null) : undefined,
    });
    if (backingOff && plan.start > 0) return { requeueAfterMs: failure.retryAt - now };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.stops]);
  }

  private async remove(key: string, instances: InstanceStatus[]): Promise<void> {
    const [namespace, name] = splitKey(key);
    this.deps.autoscaler.untrack(key);
    this.deps.launcher.forget(key);
    this.lastScale.delete(key);
    this.deps.metrics.desiredInstances.remove({ function: key });
    this.deps.metrics.readyInstances.remove({ function: key });
    await this.deps.registry.replace(namespace, name, []);
    this.written.delete(key);
    this.retire(
      instances.map((i) => i.id),
      0,
    );
    await this.deps.statusWriter.remove("Function", namespace, name);
  }

  /** Stops instances in the background; they are already out of the registry, so no new request reaches them. */
  private retire(ids: string[], timeoutMs: number): void {
    for (const id of ids) {
      if (this.stopping.has(id)) continue;
      this.stopping.add(id);
      const stop = this.deps.backend
        .stop(id, { graceMs: Math.min(timeoutMs, MAX_STOP_GRACE_MS) })
        .catch((error: Error) => this.deps.logger.warn({ instance: id, err: error.message }, "stop failed"))
        .finally(() => {
          this.stopping.delete(id);
          this.stops.delete(stop);
        });
      this.stops.add(stop);
    }
  }

  private scaleTime(key: string, desired: number, now: number): string | undefined {
    const last = this.lastScale.get(key);
    if (last && last.desired === desired) return last.at;
    if (!last && desired === 0) {
      this.lastScale.set(key, { desired, at: "" });
      return undefined;
    }
    const at = new Date(now).toISOString();
    this.lastScale.set(key, { desired, at });
    return at;
  }

  private async writeStatus(
    fn: KappaFunction,
    facts: {
      ready: boolean;
      reason?: string;
      message?: string;
      codeReady?: boolean;
      active?: string;
      instances?: number;
      readyInstances?: number;
      codeSha256?: string;
      lastScaleTime?: string;
      /** null: init succeeded on the serving instances; undefined: unknown (none serving) */
      initError?: string | null;
    },
  ): Promise<void> {
    const { namespace, name, generation } = fn.metadata;
    const now = this.deps.clock.now();
    const previous = this.deps.statusWriter.read("Function", namespace, name) ?? fn.status ?? {};
    let conditions = markCondition(
      previous.conditions,
      {
        type: ConditionTypes.ready,
        status: facts.ready ? "True" : "False",
        reason: facts.ready ? Reasons.ready : (facts.reason ?? "NotReady"),
        ...(facts.message ? { message: facts.message.slice(0, 32768) } : {}),
        observedGeneration: generation,
      },
      now,
    );
    if (facts.codeReady !== undefined) {
      conditions = markCondition(
        conditions,
        {
          type: ConditionTypes.codeReady,
          status: facts.codeReady ? "True" : "False",
          reason: facts.codeReady ? Reasons.codeResolved : (facts.reason ?? "CodeNotReady"),
          ...(!facts.codeReady && facts.message ? { message: facts.message.slice(0, 32768) } : {}),
          observedGeneration: generation,
        },
        now,
      );
    }
    if (facts.active !== undefined) {
      conditions = markCondition(
        conditions,
        {
          type: ConditionTypes.active,
          status: facts.active === Reasons.serving ? "True" : "False",
          reason: facts.active,
          observedGeneration: generation,
        },
        now,
      );
    }
    if (facts.initError !== undefined) {
      conditions = markCondition(
        conditions,
        {
          type: ConditionTypes.initialized,
          status: facts.initError === null ? "True" : "False",
          reason: facts.initError === null ? Reasons.initSucceeded : Reasons.initError,
          ...(facts.initError ? { message: facts.initError.slice(0, 32768) } : {}),
          observedGeneration: generation,
        },
        now,
      );
    }
    const base = this.deps.functionUrlBase ?? "";
    await this.deps.statusWriter.write("Function", namespace, name, {
      conditions,
      observedGeneration: generation,
      instances: Math.max(0, facts.instances ?? 0),
      readyInstances: facts.readyInstances ?? 0,
      url: `${base}/function/${namespace}/${name}`,
      ...(facts.codeSha256 ? { codeSha256: facts.codeSha256 } : {}),
      ...(facts.lastScaleTime ? { lastScaleTime: facts.lastScaleTime } : {}),
    });
  }
}

function toRecord(instance: InstanceStatus): InstanceRecord {
  return {
    id: instance.id,
    url: instance.url!,
    perInstance: instance.perInstance ?? 1,
    ...(instance.codeSha256 ? { codeSha256: instance.codeSha256 } : {}),
    readySince: instance.readySince ?? instance.startedAt,
  };
}
