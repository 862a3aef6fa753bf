// The shared limiter: route rate limits and usage-plan throttles and quotas, decided by one atomic Lua script in
// Redis per request so every gateway replica sees one bucket. Refusals are remembered locally (deny-cache.ts).
import { type Clock, type Registry, type StageLogger } from "./deps.js";
import { DenyCache } from "./deny-cache.js";
import { rateLimitScripts, type ScriptClient } from "./lua-script.js";
import { rateLimitMetrics, type RateLimitMetrics } from "./metrics.js";
import { emissionIntervalUs, type RateDecision, type RateLimit } from "./rate-limit.js";

export interface LimiterOptions {
  redis: ScriptClient;
  clock: Clock;
  logger: StageLogger;
  registry: Registry;
  /** Redis key prefix, default "kappa:rl" */
  prefix: string;
  /** Give up on Redis after this long and apply failOpen; default 1000 ms */
  redisTimeoutMs: number;
  /** When Redis does not answer: admit (true, default: a limiter outage should not take the API down) or refuse */
  failOpen: boolean;
}

export interface UsagePlanLimits {
  throttle?: RateLimit;
  quota?: { limit: number; offset: number; periodStart: number; periodEnd: number };
}

export type UsageDecision =
  | { outcome: "admitted"; remaining: number }
  | { outcome: "throttled"; retryAfterMs: number }
  | { outcome: "quota"; retryAfterMs: number };

class RedisTimeout extends Error {}

export class Limiter {
  private readonly denied: DenyCache;
  private readonly metrics: RateLimitMetrics;

  constructor(private readonly options: LimiterOptions) {
    this.denied = new DenyCache(options.clock);
    this.metrics = rateLimitMetrics(options.registry);
  }

  /** Takes one request from `bucket` (any string naming who is limited) under `limit`. */
  async take(bucket: string, limit: RateLimit, limiter = "route"): Promise<RateDecision> {
    const interval = emissionIntervalUs(limit.perSecond);
    const key = `${this.options.prefix}:b:${interval}:${limit.burst}:${bucket}`;
    const refused = this.denied.refusedFor(key);
    if (refused > 0) {
      this.metrics.decisions.inc({ limiter, outcome: "local_deny" });
      return { allowed: false, retryAfterMs: refused, remaining: 0 };
    }
    const reply = await this.runScript("take", [key], [interval, limit.burst, 1]);
    if (!reply) {
      this.metrics.decisions.inc({ limiter, outcome: "redis_error" });
      return { allowed: this.options.failOpen, retryAfterMs: 1000, remaining: 0 };
    }
    const [allowed, retryUs, remaining] = reply;
    const decision = { allowed: allowed === 1, retryAfterMs: Math.ceil(retryUs / 1000), remaining };
    if (!decision.allowed) this.denied.refuse(key, decision.retryAfterMs);
    this.metrics.decisions.inc({ limiter, outcome: decision.allowed ? "admitted" : "throttled" });
    return decision;
  }

  /**
   * One usage-plan decision for one API key: throttle and quota in one script. `subject` is a string naming the
   * key (both buckets), or separate names when a per-route throttle shares the key's quota.
   */
  async takeUsage(
    subject: string | { throttle: string; quota: string },
    limits: UsagePlanLimits,
  ): Promise<UsageDecision> {
    const names = typeof subject === "string" ? { throttle: subject, quota: subject } : subject;
    const { throttle, quota } = limits;
    const interval = throttle ? emissionIntervalUs(throttle.perSecond) : 0;
    const throttleKey = `${this.options.prefix}:p:${interval}:${throttle?.burst ?? 0}:${names.throttle}`;
    // The counter survives a change of the limit (as in API Gateway); the local caches are keyed by the limit too.
    const quotaKey = `${this.options.prefix}:q:${quota?.periodStart ?? 0}:${names.quota}`;
    const startedKey = `${this.options.prefix}:qs:${names.quota}`;
    const localKey = `${throttleKey}|${quotaKey}|${quota?.limit ?? 0}`;
    // A used-up quota stays used up until its period ends (the next period has another counter key).
    const quotaRefused = quota ? this.denied.refusedFor(`quota|${quotaKey}|${quota?.limit}`) : 0;
    if (quotaRefused > 0) {
      this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "local_deny" });
      return { outcome: "quota", retryAfterMs: quotaRefused };
    }
    const refused = this.denied.refusedFor(localKey);
    if (refused > 0) {
      this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "local_deny" });
      return { outcome: "throttled", retryAfterMs: refused };
    }
    const periodMs = quota ? Math.max(1, quota.periodEnd - this.options.clock.now()) : 0;
    const reply = await this.runScript(
      "usagePlan",
      [throttleKey, quotaKey, startedKey],
      [interval, throttle?.burst ?? 0, quota ? quota.limit : -1, quota?.offset ?? 0, periodMs],
    );
    if (!reply) {
      this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "redis_error" });
      return this.options.failOpen
        ? { outcome: "admitted", remaining: -1 }
        : { outcome: "throttled", retryAfterMs: 1000 };
    }
    const [code, retryUs, remaining] = reply;
    const retryAfterMs = Math.ceil(retryUs / 1000);
    if (code === 1) {
      this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "admitted" });
      return { outcome: "admitted", remaining };
    }
    if (code === 0) {
      this.denied.refuse(localKey, retryAfterMs);
      this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "throttled" });
      return { outcome: "throttled", retryAfterMs };
    }
    this.denied.refuse(`quota|${quotaKey}|${quota?.limit}`, retryAfterMs);
    this.metrics.decisions.inc({ limiter: "usage_plan", outcome: "quota" });
    return { outcome: "quota", retryAfterMs };
  }

  private async runScript(
    name: "take" | "usagePlan",
    keys: string[],
    args: (string | number)[],
  ): Promise<[number, number, number] | undefined> {
    const script = rateLimitScripts()[name];
    const stopTimer = this.metrics.redisSeconds.startTimer({ script: script.file });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new RedisTimeout("redis did not answer in time")),
          this.options.redisTimeoutMs,
        );
      });
      const reply = await Promise.race([script.run(this.options.redis, keys, args), timeout]);
      if (!Array.isArray(reply) || reply.length !== 3)
        throw new Error(`unexpected reply from ${script.file}`);
      return reply.map(Number) as [number, number, number];
    } catch (error) {
      this.options.logger.warn(
        {
          err: error instanceof Error ? error.message : String(error),
          script: script.file,
          failOpen: this.options.failOpen,
        },
        "rate limiter could not reach Redis",
      );
      return undefined;
    } finally {
      clearTimeout(timer);
      stopTimer();
    }
  }
}
