// Launches of function instances in progress: take a warm pool instance (or start a new one), specialize it, and
// report back. Launches run in the background so a reconcile never waits on a process; the reconciler counts them
// as instances on the way. Repeated failures of one revision back off instead of looping.
import type { Logger } from "pino";
import type { SpecializeRequest } from "../../api/agent.js";
import type { InstanceBackend, InstanceRuntime } from "../backends/instance-backend.js";
import { errorMessage } from "../errors.js";
import type { ControllerMetrics } from "../metrics.js";
import type { WarmPools } from "../pools/warm-pools.js";
import { names } from "./revision.js";

interface Launch {
  revision: string;
  instanceId?: string;
}

export interface LaunchFailure {
  revision: string;
  count: number;
  message: string;
  retryAt: number;
}

/** A function whose instances fail to start is retried at most this rarely, doubling from 1 s. */
const MAX_LAUNCH_BACKOFF_MS = 60_000;

export interface LaunchRequest {
  key: string;
  revision: string;
  runtime: InstanceRuntime;
  memoryMiB: number;
  specialize: SpecializeRequest;
}

export class Launcher {
  private readonly launches = new Map<string, Set<Launch>>();
  private readonly failures = new Map<string, LaunchFailure>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly backend: InstanceBackend,
    private readonly pools: WarmPools,
    private readonly metrics: ControllerMetrics,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** called when a launch ends, either way */
    private readonly onDone: (key: string) => void,
  ) {}

  inProgress(key: string, revision: string): { count: number; ids: Set<string> } {
    const all = [...(this.launches.get(key) ?? [])];
    return {
      count: all.filter((l) => l.revision === revision).length,
      ids: new Set(all.flatMap((l) => (l.instanceId ? [l.instanceId] : []))),
    };
  }

  /** The failure that blocks new launches of `revision` until its retryAt, if any. */
  failure(key: string, revision: string): LaunchFailure | undefined {
    const failure = this.failures.get(key);
    return failure?.revision === revision ? failure : undefined;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  launch(request: LaunchRequest): void {
    const launch: Launch = { revision: request.revision };
    const set = this.launches.get(request.key) ?? new Set<Launch>();
    set.add(launch);
    this.launches.set(request.key, set);
    let source: "pool" | "new" = "pool";
    const run = (async () => {
      let id = this.pools.take(request.runtime, request.memoryMiB);
      if (id) {
        launch.instanceId = id;
      } else {
        source = "new";
        id = names.functionInstance(request.specialize, request.revision);
        launch.instanceId = id;
        await this.backend.start({
          id,
          runtime: request.runtime,
          memoryMiB: request.memoryMiB,
          owner: { namespace: request.specialize.namespace, name: request.specialize.name },
          revision: request.revision,
        });
      }
      await this.backend.specialize(id, request.specialize, request.revision);
      this.failures.delete(request.key);
      this.metrics.launches.inc({ source, result: "ok" });
      this.logger.info(
        { function: request.key, instance: id, source, revision: request.revision },
        "instance ready",
      );
    })()
      .catch(async (error) => {
        this.metrics.launches.inc({ source, result: "error" });
        const previous = this.failures.get(request.key);
        const count = previous?.revision === request.revision ? previous.count + 1 : 1;
        const delay = Math.min(MAX_LAUNCH_BACKOFF_MS, 1_000 * 2 ** Math.min(count - 1, 10));
        const message = errorMessage(error);
        this.failures.set(request.key, {
          revision: request.revision,
          count,
          message,
          retryAt: this.now() + delay,
        });
        this.logger.warn(
          { function: request.key, instance: launch.instanceId, failures: count, err: message },
          "instance launch failed",
        );
        if (launch.instanceId)
          await this.backend.stop(launch.instanceId, { graceMs: 0 }).catch(() => undefined);
      })
      .finally(() => {
        set.delete(launch);
        if (set.size === 0) this.launches.delete(request.key);
        this.running.delete(run);
        this.onDone(request.key);
      });
    this.running.add(run);
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
