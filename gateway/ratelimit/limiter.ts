// The shared limiter: route rate limits and usage-plan throttles and quotas, decided by atomic Lua scripts in
// Redis so every gateway replica sees one bucket. Two local fast paths: refusals are remembered (deny-cache.ts),
// and each decision may lease a share of the headroom so the next requests are admitted without waiting for
// Redis and debited in one batch (leases.ts).
import { type Clock, type Registry, type StageLogger } from "./deps.js";
import { setTimeout as delay } from "node:timers/promises";
import { DenyCache } from "./deny-cache.js";
import { LeaseTable, type Lease, type LeaseCall, type LeaseReply } from "./leases.js";
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
  /** Live gateway replicas, for the size of a lease (each takes at most 1/(2 x replicas) of the headroom) */
  replicas: () => number;
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

type Asked =
  | { kind: "local_deny"; retryAfterMs: number }
  | { kind: "local_admit" }
  | { kind: "redis"; reply: LeaseReply | undefined };

/** Asks after a refusal caused only by reservations; more than one in case new leases were taken meanwhile. */
const RESERVATION_RETRIES = 2;

export class Limiter {
  private readonly denied: DenyCache;
  private readonly metrics: RateLimitMetrics;
  private readonly leases: LeaseTable;
  private readonly admittedLocally = new Map<string, { inc(): void }>();

  constructor(private readonly options: LimiterOptions) {
    this.denied = new DenyCache(options.clock);
    this.metrics = rateLimitMetrics(options.registry);
    this.leases = new LeaseTable(options.replicas);
  }

  /** Settles this replica's leases (debits what it admitted locally, releases what it reserved). */
  close(): Promise<void> {
    return this.leases.close();
  }

  /** Takes one request from `bucket` (any string naming who is limited) under `limit`. */
  async take(bucket: string, limit: RateLimit, limiter = "route"): Promise<RateDecision> {
    const interval = emissionIntervalUs(limit.perSecond);
    const key = `${this.options.prefix}:b:${interval}:${limit.burst}:${bucket}`;
    const lease =
      this.leases.get(key) ??
      this.leases.open(key, (call) =>
        this.runScript("take", [key, `${key}:l`], [interval, limit.burst, ...leaseArgs(call)]),
      );
    const asked = await this.ask(key, lease, limiter);
    if (asked.kind === "local_deny")
      return { allowed: false, retryAfterMs: asked.retryAfterMs, remaining: 0 };
    if (asked.kind === "local_admit") return { allowed: true, retryAfterMs: 0, remaining: lease.remaining };
    const reply = asked.reply;
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
    const keys = [throttleKey, quotaKey, startedKey, `${throttleKey}:l`, `${quotaKey}:l`];
    const lease =
      this.leases.get(localKey) ??
      this.leases.open(localKey, (call) => {
        // Computed per call: a lease entry lives as long as its bucket is busy.
        const periodMs = quota ? Math.max(1, quota.periodEnd - this.options.clock.now()) : 0;
        const plan = [interval, throttle?.burst ?? 0, quota ? quota.limit : -1, quota?.offset ?? 0, periodMs];
        return this.runScript("usagePlan", keys, [...plan, ...leaseArgs(call)]);
      });
    const asked = await this.ask(localKey, lease, "usage_plan");
    if (asked.kind === "local_deny") return { outcome: "throttled", retryAfterMs: asked.retryAfterMs };
    if (asked.kind === "local_admit") return { outcome: "admitted", remaining: quota ? lease.remaining : -1 };
    const reply = asked.reply;
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

  /**
   * The local fast paths first (a cached refusal, a lease), then Redis. A request refused only because other
   * replicas hold reservations (retryAfterUs 0) asks again once those leases must have been settled, so
   * reservations never turn into refusals that a limiter without leases would not give.
   */
  private async ask(denyKey: string, lease: Lease, limiter: string): Promise<Asked> {
    for (let attempt = 0; ; attempt++) {
      const refused = this.denied.refusedFor(denyKey);
      if (refused > 0) {
        this.metrics.decisions.inc({ limiter, outcome: "local_deny" });
        return { kind: "local_deny", retryAfterMs: refused };
      }
      if (this.leases.admitLocally(lease)) {
        this.countLocal(limiter);
        return { kind: "local_admit" };
      }
      if (this.leases.shouldWait(lease)) {
        await lease.settling;
        continue;
      }
      const reply = await this.leases.decide(lease);
      if (!reply || reply[0] === 1 || reply[1] > 0 || attempt >= RESERVATION_RETRIES)
        return { kind: "redis", reply };
      await delay(this.leases.settledWithinMs);
    }
  }

  private countLocal(limiter: string): void {
    let child = this.admittedLocally.get(limiter);
    if (!child) {
      child = this.metrics.decisions.labels({ limiter, outcome: "admitted_locally" });
      this.admittedLocally.set(limiter, child);
    }
    child.inc();
  }

  private async runScript(
    name: "take" | "usagePlan",
    keys: string[],
    args: (string | number)[],
  ): Promise<LeaseReply | undefined> {
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
      if (!Array.isArray(reply) || reply.length !== 4)
        throw new Error(`unexpected reply from ${script.file}`);
      return reply.map(Number) as LeaseReply;
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

/** The lease part of a script's ARGV, in the order the scripts take it. */
function leaseArgs(call: LeaseCall): (string | number)[] {
  return [call.cost, call.holder, call.debit, call.divisor, call.maxLease, call.lifetimeMs];
}
