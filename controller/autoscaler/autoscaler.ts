// Feeds the pure scaling decision (scaling.ts) from Redis: every tick it reads the in-flight reports all gateways
// wrote for each tracked function; demand signals (a gateway holding a request for a function with no free
// instance) act at once. When a function's desired count changes, `onChange(key)` asks for a reconcile.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { RedisKeys, functionKey, type DemandSignal, type InflightReport } from "../../api/instances.js";
import type { Clock } from "../clock.js";
import type { RedisClient } from "../registry/instance-registry.js";
import {
  DEFAULT_SCALING_CONFIG,
  desiredInstances,
  initialScalingState,
  observe,
  observeDemand,
  sampleReports,
  type Decision,
  type ScalingConfig,
  type ScalingSpec,
  type ScalingState,
} from "./scaling.js";

export interface AutoscalerOptions {
  redis: RedisClient;
  clock: Clock;
  logger: Logger;
  onChange: (key: string) => void;
  config?: Partial<ScalingConfig>;
  /** gateways report once a second; sampling at the same rate sees every report */
  tickMs?: number;
}

/** The activator gives up on a held request long before this; past it, a function that never got ready may idle. */
const MAX_COLD_HOLD_MS = 120_000;

interface Tracked {
  spec: ScalingSpec;
  state: ScalingState;
  decision?: Decision;
  /** when the first unanswered demand signal arrived while the function had no instance (cold start clock) */
  coldSince?: number;
}

export class Autoscaler {
  private readonly tracked = new Map<string, Tracked>();
  private readonly config: ScalingConfig;
  private subscriber?: RedisClient;
  private cancelTick?: () => void;
  private closed = false;

  constructor(private readonly options: AutoscalerOptions) {
    this.config = { ...DEFAULT_SCALING_CONFIG, ...options.config };
  }

  async start(): Promise<void> {
    const subscriber = (this.options.redis as Redis).duplicate();
    this.subscriber = subscriber;
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === RedisKeys.demandChannel) this.onDemand(message);
    });
    await subscriber.subscribe(RedisKeys.demandChannel);
    this.scheduleTick();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelTick?.();
    if (this.subscriber) await this.subscriber.quit().catch(() => undefined);
  }

  /** Registers (or updates) a function's scaling spec; returns its current desired instance count. */
  track(key: string, spec: ScalingSpec): number {
    const now = this.options.clock.now();
    const tracked = this.tracked.get(key) ?? { spec, state: initialScalingState() };
    tracked.spec = spec;
    this.tracked.set(key, tracked);
    tracked.decision = desiredInstances(spec, tracked.state, now, this.config);
    tracked.state = tracked.decision.state;
    return tracked.decision.desired;
  }

  untrack(key: string): void {
    this.tracked.delete(key);
  }

  decision(key: string): Decision | undefined {
    return this.tracked.get(key)?.decision;
  }

  /** Time since the demand that woke this function from zero, once; undefined when it was not cold. */
  takeColdStart(key: string): number | undefined {
    const tracked = this.tracked.get(key);
    if (tracked?.coldSince === undefined) return undefined;
    const elapsed = this.options.clock.now() - tracked.coldSince;
    tracked.coldSince = undefined;
    return elapsed;
  }

  private onDemand(message: string): void {
    let signal: DemandSignal;
    try {
      signal = JSON.parse(message) as DemandSignal;
    } catch {
      this.options.logger.warn({ message }, "ignored a demand signal that is not JSON");
      return;
    }
    if (typeof signal.namespace !== "string" || typeof signal.name !== "string") return;
    const key = functionKey(signal.namespace, signal.name);
    const tracked = this.tracked.get(key);
    if (!tracked) {
      // A function we do not know (yet): ask for a reconcile, which tracks it if it exists.
      this.options.onChange(key);
      return;
    }
    const now = this.options.clock.now();
    if ((tracked.decision?.desired ?? 0) === 0 && tracked.coldSince === undefined) tracked.coldSince = now;
    tracked.state = observeDemand(tracked.state, signal.waiting ?? 1, now);
    this.decide(key, tracked, now);
  }

  private scheduleTick(): void {
    if (this.closed) return;
    this.cancelTick = this.options.clock.setTimer(this.options.tickMs ?? 1_000, () => {
      this.tick()
        .catch((error: Error) => this.options.logger.warn({ err: error.message }, "autoscaler tick failed"))
        .finally(() => this.scheduleTick());
    });
  }

  private async tick(): Promise<void> {
    const keys = [...this.tracked.keys()];
    if (keys.length === 0) return;
    const pipeline = this.options.redis.pipeline();
    for (const key of keys) {
      const [namespace, name] = splitKey(key);
      pipeline.hgetall(RedisKeys.inflight(namespace, name));
    }
    const results = (await pipeline.exec()) ?? [];
    const now = this.options.clock.now();
    keys.forEach((key, index) => {
      const tracked = this.tracked.get(key);
      if (!tracked) return;
      const [error, hash] = results[index] ?? [];
      if (error) return;
      const reports = Object.values((hash ?? {}) as Record<string, string>).flatMap((value) => {
        try {
          return [JSON.parse(value) as InflightReport];
        } catch {
          return [];
        }
      });
      const { sample, active } = sampleReports(reports, now, this.config);
      // Until the instance a demand asked for is ready, the function counts as busy: the idle clock starts only once
      // it could have served (bounded, so an instance that never starts does not pin it forever).
      const waitingForFirst = tracked.coldSince !== undefined && now - tracked.coldSince < MAX_COLD_HOLD_MS;
      tracked.state = observe(tracked.state, sample, active || waitingForFirst, this.config);
      this.decide(key, tracked, now);
    });
  }

  private decide(key: string, tracked: Tracked, now: number): void {
    const before = tracked.decision?.desired;
    tracked.decision = desiredInstances(tracked.spec, tracked.state, now, this.config);
    tracked.state = tracked.decision.state;
    if (tracked.decision.desired !== before) {
      this.options.logger.info(
        { function: key, from: before, to: tracked.decision.desired, reason: tracked.decision.reason },
        "scale",
      );
      this.options.onChange(key);
    }
  }
}

export function splitKey(key: string): [string, string] {
  const slash = key.indexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}
