// This gateway's view of which instances of each function are ready, and how many of their concurrency slots
// this gateway is using. The controller writes the instances hash and publishes "<ns>/<name>" on
// kappa:instances after each change (api/instances.ts); we load a function's hash the first time a request
// needs it and reload it on each message. Messages lost while the subscriber was disconnected are covered by
// reloading everything tracked on reconnect and by a periodic resync (every RESYNC_MS, one HGETALL per tracked
// function: bounded by the number of functions this gateway has served).
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { RedisKeys, functionKey, type InstanceRecord } from "../../api/instances.js";
import type { Clock } from "../clock.js";

const RESYNC_MS = 10_000;

export class LiveInstance {
  inflight = 0;
  /** the agent said 429/503 or did not answer: skip it until then */
  unavailableUntil = 0;

  constructor(public record: InstanceRecord) {}

  get free(): number {
    return this.record.perInstance - this.inflight;
  }
}

export class FunctionInstances {
  readonly instances = new Map<string, LiveInstance>();
  loaded = false;
  loading: Promise<void> | undefined;

  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
  ) {}

  /**
   * Takes a slot on the least-loaded ready instance, preferring instances running `codeSha256`; returns
   * undefined when every slot is taken.
   */
  tryAcquire(now: number, codeSha256?: string, exclude?: ReadonlySet<string>): LiveInstance | undefined {
    let best: LiveInstance | undefined;
    let bestScore = Infinity;
    for (const instance of this.instances.values()) {
      if (instance.inflight >= instance.record.perInstance || instance.unavailableUntil > now) continue;
      if (exclude?.has(instance.record.id)) continue;
      const stale =
        codeSha256 !== undefined &&
        instance.record.codeSha256 !== undefined &&
        instance.record.codeSha256 !== codeSha256;
      // Load as a fraction of capacity; instances with old code only when nothing current has room.
      const score = instance.inflight / instance.record.perInstance + (stale ? 2 : 0);
      if (score < bestScore) {
        best = instance;
        bestScore = score;
      }
    }
    if (best) best.inflight++;
    return best;
  }

  get readyCount(): number {
    return this.instances.size;
  }
}

export interface InstanceRegistryOptions {
  redis: Redis;
  /** a dedicated connection for SUBSCRIBE (a subscribed connection can run nothing else) */
  subscriber: Redis;
  logger: Logger;
  clock: Clock;
}

/** Emits "changed" (fnKey) when a function's instance set changed or a slot was released. */
export class InstanceRegistry extends EventEmitter {
  private readonly functions = new Map<string, FunctionInstances>();
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly onMessage = (channel: string, message: string) => {
    if (channel !== RedisKeys.instancesChannel) return;
    const tracked = this.functions.get(message);
    if (tracked) void this.load(tracked);
  };
  private readonly onReady = () => {
    for (const tracked of this.functions.values()) void this.load(tracked);
  };

  constructor(private readonly options: InstanceRegistryOptions) {
    super();
    this.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const { subscriber } = this.options;
    subscriber.on("message", this.onMessage);
    subscriber.on("ready", this.onReady);
    await subscriber.subscribe(RedisKeys.instancesChannel);
    this.resyncTimer = setInterval(this.onReady, RESYNC_MS);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    const { subscriber } = this.options;
    subscriber.off("message", this.onMessage);
    subscriber.off("ready", this.onReady);
    await subscriber.unsubscribe(RedisKeys.instancesChannel).catch(() => undefined);
  }

  /** The tracked state of a function; it is loaded from Redis if this is the first time. */
  async get(namespace: string, name: string): Promise<FunctionInstances> {
    const key = functionKey(namespace, name);
    let tracked = this.functions.get(key);
    if (!tracked) {
      tracked = new FunctionInstances(key, namespace, name);
      this.functions.set(key, tracked);
    }
    if (!tracked.loaded) await (tracked.loading ?? this.load(tracked));
    return tracked;
  }

  /** The already loaded state, without I/O (hot path). */
  peek(key: string): FunctionInstances | undefined {
    const tracked = this.functions.get(key);
    return tracked?.loaded ? tracked : undefined;
  }

  release(fn: FunctionInstances, instance: LiveInstance): void {
    instance.inflight--;
    this.emit("changed", fn.key);
  }

  /** Take an instance out of rotation for a while after it refused or failed a request. */
  markUnavailable(fn: FunctionInstances, instance: LiveInstance, forMs: number): void {
    instance.unavailableUntil = this.options.clock.now() + forMs;
    const timer = setTimeout(() => this.emit("changed", fn.key), forMs);
    timer.unref();
  }

  allLoaded(): FunctionInstances[] {
    return [...this.functions.values()].filter((f) => f.loaded);
  }

  private load(tracked: FunctionInstances): Promise<void> {
    const loading = this.options.redis
      .hgetall(RedisKeys.instances(tracked.namespace, tracked.name))
      .then((hash) => {
        this.apply(tracked, hash);
        tracked.loaded = true;
      })
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, function: tracked.key }, "could not load instances");
        if (!tracked.loaded) throw error;
      })
      .finally(() => {
        if (tracked.loading === loading) tracked.loading = undefined;
      });
    tracked.loading = loading;
    return loading;
  }

  private apply(tracked: FunctionInstances, hash: Record<string, string>): void {
    const seen = new Set<string>();
    for (const [id, json] of Object.entries(hash)) {
      let record: InstanceRecord;
      try {
        record = JSON.parse(json) as InstanceRecord;
      } catch {
        this.options.logger.warn(
          { function: tracked.key, instance: id },
          "unparsable instance record ignored",
        );
        continue;
      }
      if (typeof record.url !== "string" || !(record.perInstance >= 1)) continue;
      seen.add(id);
      const existing = tracked.instances.get(id);
      if (existing) existing.record = { ...record, id };
      else tracked.instances.set(id, new LiveInstance({ ...record, id }));
    }
    for (const id of tracked.instances.keys()) {
      if (!seen.has(id)) tracked.instances.delete(id);
    }
    this.emit("changed", tracked.key);
  }
}
