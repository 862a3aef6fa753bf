// Once a second: write this gateway's InflightReport per active function (the autoscaler's input), renew
// this gateway's presence (reserved-concurrency shares), and repeat the demand signal for functions whose
// requests are still held, in case the controller missed the first one.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { RedisKeys } from "../../api/instances.js";
import type { Activator } from "../activator/activator.js";
import type { Clock } from "../clock.js";
import type { GatewayMetrics } from "../metrics.js";
import type { InflightTracker } from "./inflight-tracker.js";
import type { ReservedConcurrency } from "./reserved-concurrency.js";

export const REPORT_INTERVAL_MS = 1_000;
/** Gateways heartbeat here (score = epoch ms); internal to the gateway part. */
export const GATEWAYS_KEY = "kappa:gateways";
/** A gateway silent for this long no longer counts towards reserved-concurrency shares. */
const PRESENCE_TTL_MS = 5_000;

export interface InflightReporterOptions {
  redis: Redis;
  gatewayId: string;
  tracker: InflightTracker;
  activator: Activator;
  reserved: ReservedConcurrency;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  intervalMs?: number;
}

export class InflightReporter {
  private timer: NodeJS.Timeout | undefined;
  private readonly reported = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(private readonly options: InflightReporterOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, this.options.intervalMs ?? REPORT_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    const { redis, gatewayId } = this.options;
    const pipeline = redis.pipeline();
    for (const key of this.reported) {
      const [namespace, name] = key.split("/") as [string, string];
      pipeline.hdel(RedisKeys.inflight(namespace, name), gatewayId);
    }
    pipeline.zrem(GATEWAYS_KEY, gatewayId);
    await pipeline.exec().catch(() => undefined);
  }

  async tick(): Promise<void> {
    const { redis, gatewayId, tracker, activator, reserved, metrics, logger, clock } = this.options;
    for (const key of activator.waitingFunctions()) {
      tracker.touch(key);
      activator.signalDemand(key, true);
    }
    const reports = tracker.collect((key) => activator.waiting(key));
    const now = clock.now();
    const pipeline = redis.pipeline();
    for (const [key, report] of reports) {
      const [namespace, name] = key.split("/") as [string, string];
      pipeline.hset(RedisKeys.inflight(namespace, name), gatewayId, JSON.stringify(report));
      this.reported.add(key);
      metrics.setInflight(key, tracker.current(key));
    }
    pipeline.zadd(GATEWAYS_KEY, now, gatewayId);
    pipeline.zremrangebyscore(GATEWAYS_KEY, "-inf", now - PRESENCE_TTL_MS);
    pipeline.zcard(GATEWAYS_KEY);
    try {
      const results = await pipeline.exec();
      const live = results?.[results.length - 1]?.[1];
      if (typeof live === "number") reserved.setLiveGateways(live);
    } catch (error) {
      logger.warn({ err: error }, "could not write in-flight reports");
    }
  }
}
