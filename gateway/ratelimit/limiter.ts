// The shared limiter: route rate limits and usage-plan throttles and quotas, decided by atomic Lua scripts in
// Redis so every gateway replica sees one bucket. Two local fast paths: refusals are remembered (deny-cache.ts),
// and each decision may lease a share of the headroom so the next requests are admitted without waiting for
// Redis and debited in one batch (leases.ts).
import { type Clock, type Registry, type StageLogger } from "./deps.js";
import { setTimeout as delay } from "node:timers/promises";
import { DenyCache } from "./deny-cache.js";
import { LeaseTable, type Lease, type LeaseCall, type LeaseReply, type LeaseRunner } from "./leases.js";
import { rateLimitScripts, type ScriptClient } from "./lua-script.js";
import type { OutcomeCounts } from "./batched-counter.js";
import { DecisionCounters, rateLimitMetrics, type RateLimitMetrics } from "./metrics.js";
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

/** A route-limit bucket prepared by Limiter.prepareTake. */
export interface TakeBucket {
  /** the bucket's Redis key, also its deny-cache and lease key */
  readonly key: string;
  readonly interval: number;
  readonly burst: number;
  readonly counters: OutcomeCounts;
}

/** A usage-plan subject prepared by Limiter.prepareUsage. */
export interface UsageBuckets {
  /** the deny-cache key of a used-up quota, or undefined without a quota */
  readonly quotaKey: string | undefined;
  /** the deny-cache and lease key of the throttle and quota pair */
  readonly localKey: string;
  readonly counters: OutcomeCounts;
  readonly run: LeaseRunner;
}

class RedisTimeout extends Error {}

type Asked =
  | { kind: "local_deny"; retryAfterMs: number }
  | { kind: "local_admit" }
  | { kind: "redis"; reply: LeaseReply | undefined };

const ADMITTED_LOCALLY: Asked = { kind: "local_admit" };

/** Asks after a refusal caused only by reservations; more than one in case new leases were taken meanwhile. */
const RESERVATION_RETRIES = 2;

export class Limiter {
  private readonly denied: DenyCache;
  private readonly metrics: RateLimitMetrics;
  private readonly leases: LeaseTable;
  private readonly counters: DecisionCounters;

  constructor(private readonly options: LimiterOptions) {
    this.denied = new DenyCache(options.clock);
    this.metrics = rateLimitMetrics(options.registry);
    this.counters = new DecisionCounters(this.metrics);
    this.leases = new LeaseTable(options.replicas);
  }

  /** Settles this replica's leases (debits what it admitted locally, releases what it reserved). */
  close(): Promise<void> {
    return this.leases.close();
  }

  /** Takes one request from `bucket` (any string naming who is limited) under `limit`. */
  async take(bucket: string, limit: RateLimit, limiter = "route"): Promise<RateDecision> {
    return this.decide(this.prepareTake(bucket, limit, limiter));
  }

  /**
   * The keys and lease runner of one bucket under one limit, built once: a caller that keeps it (per Route)
   * decides each request without building or hashing key strings.
   */
  prepareTake(bucket: string, limit: RateLimit, limiter = "route"): TakeBucket {
    const interval = emissionIntervalUs(limit.perSecond);
    const key = `${this.options.prefix}:b:${interval}:${limit.burst}:${bucket}`;
    return { key, interval, burst: limit.burst, counters: this.counters.of(limiter) };
  }

  /** One request from a prepared bucket: decided here (synchronously) when local state suffices, else by Redis. */
  decide(bucket: TakeBucket): RateDecision | Promise<RateDecision> {
    const lease =
      this.leases.get(bucket.key) ??
      this.leases.open(bucket.key, (call) =>
        this.runScript(
          "take",
          [bucket.key, `${bucket.key}:l`],
          [bucket.interval, bucket.burst, ...leaseArgs(call)],
        ),
      );
    const local = this.decideLocally(bucket.key, lease, bucket.counters);
    if (local === undefined)
      return this.askRedis(bucket.key, lease, bucket.counters).then((asked) =>
        this.taken(bucket, lease, asked),
      );
    return this.taken(bucket, lease, local);
  }

  private taken(bucket: TakeBucket, lease: Lease, asked: Asked): RateDecision {
    if (asked.kind === "local_deny")
      return { allowed: false, retryAfterMs: asked.retryAfterMs, remaining: 0 };
    if (asked.kind === "local_admit") return { allowed: true, retryAfterMs: 0, remaining: lease.remaining };
    const reply = asked.reply;
    if (!reply) {
      bucket.counters.count("redis_error");
      return { allowed: this.options.failOpen, retryAfterMs: 1000, remaining: 0 };
    }
    const [allowed, retryUs, remaining] = reply;
    if (allowed === 1) {
      bucket.counters.count("admitted");
      return { allowed: true, retryAfterMs: 0, remaining };
    }
    this.refuse(bucket.key, retryUs);
    bucket.counters.count("throttled");
    return { allowed: false, retryAfterMs: this.retryAfterMs(retryUs), remaining };
  }

  /**
   * One usage-plan decision for one API key: throttle and quota in one script. `subject` is a string naming the
   * key (both buckets), or separate names when a per-route throttle shares the key's quota.
   */
  async takeUsage(
    subject: string | { throttle: string; quota: string },
    limits: UsagePlanLimits,
  ): Promise<UsageDecision> {
    return this.decideUsage(this.prepareUsage(subject, limits));
  }

  /**
   * The keys and lease runner of one usage-plan subject under its limits and quota period, built once. A caller
   * keeping it must prepare anew when the limits change or the quota period ends (the keys name both).
   */
  prepareUsage(subject: string | { throttle: string; quota: string }, limits: UsagePlanLimits): UsageBuckets {
    const names = typeof subject === "string" ? { throttle: subject, quota: subject } : subject;
    const { throttle, quota } = limits;
    const interval = throttle ? emissionIntervalUs(throttle.perSecond) : 0;
    const throttleKey = `${this.options.prefix}:p:${interval}:${throttle?.burst ?? 0}:${names.throttle}`;
    // The counter survives a change of the limit (as in API Gateway); the local caches are keyed by the limit too.
    const quotaKey = `${this.options.prefix}:q:${quota?.periodStart ?? 0}:${names.quota}`;
    const startedKey = `${this.options.prefix}:qs:${names.quota}`;
    const keys = [throttleKey, quotaKey, startedKey, `${throttleKey}:l`, `${quotaKey}:l`];
    return {
      // A used-up quota stays used up until its period ends (the next period has another counter key).
      quotaKey: quota ? `quota|${quotaKey}|${quota.limit}` : undefined,
      localKey: `${throttleKey}|${quotaKey}|${quota?.limit ?? 0}`,
      counters: this.counters.of("usage_plan"),
      run: (call) => {
        // Computed per call: a lease entry lives as long as its bucket is busy.
        const periodMs = quota ? Math.max(1, quota.periodEnd - this.options.clock.now()) : 0;
        const plan = [interval, throttle?.burst ?? 0, quota ? quota.limit : -1, quota?.offset ?? 0, periodMs];
        return this.runScript("usagePlan", keys, [...plan, ...leaseArgs(call)]);
      },
    };
  }

  /** One request of a prepared subject: decided here (synchronously) when local state suffices, else by Redis. */
  decideUsage(usage: UsageBuckets): UsageDecision | Promise<UsageDecision> {
    const quotaRefused = usage.quotaKey === undefined ? 0 : this.denied.refusedFor(usage.quotaKey);
    if (quotaRefused > 0) {
      usage.counters.count("local_deny");
      return { outcome: "quota", retryAfterMs: quotaRefused };
    }
    const lease = this.leases.get(usage.localKey) ?? this.leases.open(usage.localKey, usage.run);
    const local = this.decideLocally(usage.localKey, lease, usage.counters);
    if (local === undefined)
      return this.askRedis(usage.localKey, lease, usage.counters).then((asked) =>
        this.usageDecided(usage, lease, asked),
      );
    return this.usageDecided(usage, lease, local);
  }

  private usageDecided(usage: UsageBuckets, lease: Lease, asked: Asked): UsageDecision {
    if (asked.kind === "local_deny") return { outcome: "throttled", retryAfterMs: asked.retryAfterMs };
    if (asked.kind === "local_admit")
      return { outcome: "admitted", remaining: usage.quotaKey === undefined ? -1 : lease.remaining };
    const reply = asked.reply;
    if (!reply) {
      usage.counters.count("redis_error");
      return this.options.failOpen
        ? { outcome: "admitted", remaining: -1 }
        : { outcome: "throttled", retryAfterMs: 1000 };
    }
    const [code, retryUs, remaining] = reply;
    if (code === 1) {
      usage.counters.count("admitted");
      return { outcome: "admitted", remaining };
    }
    const retryAfterMs = this.retryAfterMs(retryUs);
    if (code === 0) {
      this.refuse(usage.localKey, retryUs);
      usage.counters.count("throttled");
      return { outcome: "throttled", retryAfterMs };
    }
    this.refuse(usage.quotaKey!, retryUs);
    usage.counters.count("quota");
    return { outcome: "quota", retryAfterMs };
  }

  /**
   * When to try again after Redis refused. A refusal with no time of its own (retryAfterUs 0) came from other
   * replicas' reservations that outlived the retries in askRedis: those are used or handed back within
   * settledWithinMs, so that is when the answer can change.
   */
  private retryAfterMs(retryUs: number): number {
    return retryUs > 0 ? Math.ceil(retryUs / 1000) : this.leases.settledWithinMs;
  }

  /** Remembers a refusal locally, unless it came only from reservations, which may come back unused. */
  private refuse(denyKey: string, retryUs: number): void {
    if (retryUs > 0) this.denied.refuse(denyKey, Math.ceil(retryUs / 1000));
  }

  /** The local fast paths: a cached refusal, a lease's headroom; undefined when Redis must be asked. */
  private decideLocally(denyKey: string, lease: Lease, counters: OutcomeCounts): Asked | undefined {
    const refused = this.denied.refusedFor(denyKey);
    if (refused > 0) {
      counters.count("local_deny");
      return { kind: "local_deny", retryAfterMs: refused };
    }
    if (this.leases.admitLocally(lease)) {
      counters.count("admitted_locally");
      return ADMITTED_LOCALLY;
    }
    return undefined;
  }

  /**
   * After the local fast paths said nothing: wait for a lease call in flight (then look locally again) or ask
   * Redis. A request refused only because other replicas hold reservations (retryAfterUs 0) asks again once
   * those leases must have been settled, so reservations never turn into refusals that a limiter without leases
   * would not give.
   */
  private async askRedis(denyKey: string, lease: Lease, counters: OutcomeCounts): Promise<Asked> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        const local = this.decideLocally(denyKey, lease, counters);
        if (local) return local;
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
