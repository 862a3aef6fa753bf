// Warm pools (RuntimePool): generic agents per runtime, started ahead of need. On a cold start the function
// reconciler takes one and specializes it (milliseconds: the process is already up) while the pool backfills.
// The pool's size comes from RuntimePool resources (summed per runtime); with none, from the configured defaults.
import type { Logger } from "pino";
import type { ResourceStore } from "../../api/store.js";
import type { RuntimePool } from "../../api/index.js";
import type { InstanceBackend, InstanceRuntime } from "../backends/instance-backend.js";
import { errorMessage, RetryError } from "../errors.js";
import { names } from "../functions/revision.js";
import type { StatusWriter } from "../status.js";
import { ConditionTypes, markCondition } from "../status.js";

/** A pool whose agent cannot start is retried at most this rarely (30 s), doubling from 0.5 s. */
const MAX_START_BACKOFF_MS = 30_000;

export interface PoolDefault {
  runtime: InstanceRuntime;
  size: number;
  memoryMiB?: number;
}

/** Local mode's default when no RuntimePool exists: one warm Node.js agent makes the first invoke fast. */
// Local processes have no memory limit, so the local pool may serve a function of any memory size.
export const LOCAL_DEFAULT_POOLS: PoolDefault[] = [{ runtime: "nodejs20", size: 1, memoryMiB: 10240 }];

export interface WarmPoolsOptions {
  backend: InstanceBackend;
  store: ResourceStore;
  statusWriter: StatusWriter;
  logger: Logger;
  defaults: PoolDefault[];
  /** ask for a reconcile of a runtime's pool (after a take, a crash, a finished start) */
  onChange: (runtime: string) => void;
}

export class WarmPools {
  /** warm instances that belong to a pool, by id -> runtime */
  private readonly members = new Map<string, InstanceRuntime>();
  private readonly starting = new Map<InstanceRuntime, number>();
  private readonly retryAt = new Map<InstanceRuntime, number>();
  private readonly handedOut = new Map<InstanceRuntime, number>();

  constructor(private readonly options: WarmPoolsOptions) {}

  /** runtime -> wanted warm instances */
  sizes(): Map<InstanceRuntime, { size: number; memoryMiB: number }> {
    const pools = this.options.store.list<RuntimePool>("RuntimePool");
    const sizes = new Map<InstanceRuntime, { size: number; memoryMiB: number }>();
    const entries =
      pools.length > 0
        ? pools.map((p) => ({
            runtime: p.spec.runtime,
            size: p.spec.size ?? 1,
            memoryMiB: p.spec.memoryMiB ?? 128,
          }))
        : this.options.defaults.map((d) => ({
            runtime: d.runtime,
            size: d.size,
            memoryMiB: d.memoryMiB ?? 128,
          }));
    for (const entry of entries) {
      const current = sizes.get(entry.runtime);
      sizes.set(entry.runtime, {
        size: (current?.size ?? 0) + entry.size,
        memoryMiB: Math.max(current?.memoryMiB ?? 0, entry.memoryMiB),
      });
    }
    return sizes;
  }

  runtimes(): string[] {
    return [...new Set([...this.sizes().keys(), ...this.members.values()])];
  }

  /** Hands a warm instance of `runtime` to a function, or undefined when the pool is empty. */
  take(runtime: InstanceRuntime, memoryMiB: number): string | undefined {
    for (const [id, memberRuntime] of this.members) {
      if (memberRuntime !== runtime) continue;
      const instance = this.options.backend.get(id);
      if (!instance || instance.phase !== "started" || instance.memoryMiB < memoryMiB) continue;
      this.members.delete(id);
      this.handedOut.set(runtime, (this.handedOut.get(runtime) ?? 0) + 1);
      this.options.onChange(runtime);
      return id;
    }
    return undefined;
  }

  isMember(id: string): boolean {
    return this.members.has(id);
  }

  /** A member crashed or was stopped. */
  forget(id: string): void {
    const runtime = this.members.get(id);
    if (runtime === undefined) return;
    this.members.delete(id);
    this.options.onChange(runtime);
  }

  warmCount(runtime: string): number {
    return [...this.members.values()].filter((r) => r === runtime).length;
  }

  async reconcile(runtime: string): Promise<void> {
    const target = this.sizes().get(runtime as InstanceRuntime) ?? { size: 0, memoryMiB: 128 };
    const ids = [...this.members].filter(([, r]) => r === runtime).map(([id]) => id);
    const starting = this.starting.get(runtime as InstanceRuntime) ?? 0;
    const missing = target.size - ids.length - starting;
    if (missing > 0 && this.failures.has(runtime as InstanceRuntime)) {
      const failing = runtime as InstanceRuntime;
      // Retry once per backoff: clear the count's effect for the next attempt only after the delay.
      if ((this.retryAt.get(failing) ?? 0) > Date.now()) this.throwIfFailing(failing);
      this.retryAt.set(
        failing,
        Date.now() +
          Math.min(MAX_START_BACKOFF_MS, 500 * 2 ** Math.min((this.failures.get(failing) ?? 1) - 1, 10)),
      );
    }
    for (let i = 0; i < missing; i++) this.startOne(runtime as InstanceRuntime, target.memoryMiB);
    if (missing < 0) {
      const extra = ids.slice(0, Math.min(ids.length, -missing));
      for (const id of extra) this.members.delete(id);
      await Promise.all(extra.map((id) => this.options.backend.stop(id, { graceMs: 0 })));
    }
    await this.writeStatus(runtime);
  }

  private startOne(runtime: InstanceRuntime, memoryMiB: number): void {
    this.starting.set(runtime, (this.starting.get(runtime) ?? 0) + 1);
    const id = names.poolInstance(runtime);
    this.options.backend
      .start({ id, runtime, memoryMiB })
      .then(() => {
        this.members.set(id, runtime);
      })
      .then(() => this.failures.delete(runtime))
      .catch((error) => {
        this.options.logger.warn({ runtime, err: errorMessage(error) }, "warm pool instance failed to start");
        this.failures.set(runtime, (this.failures.get(runtime) ?? 0) + 1);
      })
      .finally(() => {
        this.starting.set(runtime, (this.starting.get(runtime) ?? 1) - 1);
        this.options.onChange(runtime);
      });
  }

  /** consecutive start failures per runtime: a broken agent is retried with backoff, never in a tight loop */
  private readonly failures = new Map<InstanceRuntime, number>();

  private throwIfFailing(runtime: InstanceRuntime): void {
    const failures = this.failures.get(runtime) ?? 0;
    if (failures === 0) return;
    const delayMs = Math.min(MAX_START_BACKOFF_MS, 500 * 2 ** Math.min(failures - 1, 10));
    throw new RetryError(`${failures} warm ${runtime} instance(s) failed to start in a row`, delayMs);
  }

  private async writeStatus(runtime: string): Promise<void> {
    const now = Date.now();
    for (const pool of this.options.store.list<RuntimePool>("RuntimePool")) {
      if (pool.spec.runtime !== runtime) continue;
      const ready = this.warmCount(runtime);
      const conditions = markCondition(
        (pool.status?.conditions ?? []) as never,
        {
          type: ConditionTypes.ready,
          status: ready >= (pool.spec.size ?? 1) ? "True" : "False",
          reason: ready >= (pool.spec.size ?? 1) ? "Warm" : "Filling",
          observedGeneration: pool.metadata.generation,
        },
        now,
      );
      await this.options.statusWriter.write("RuntimePool", pool.metadata.namespace, pool.metadata.name, {
        conditions,
        observedGeneration: pool.metadata.generation,
        ready,
        specialized: this.handedOut.get(runtime as InstanceRuntime) ?? 0,
      });
    }
  }
}
