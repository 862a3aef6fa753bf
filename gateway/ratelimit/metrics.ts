// Rate-limit metrics. Created once per registry, so several stages (and tests) can share one.
import { Counter, Histogram, type LabelValues, type Registry } from "prom-client";
import { BatchedCounts, type CounterChild } from "./batched-counter.js";

export interface RateLimitMetrics {
  decisions: Counter<"limiter" | "outcome">;
  /** a child of `decisions` for the hot path (counted locally, added when the registry is read) */
  decisionChild(labels: LabelValues<"limiter" | "outcome">): CounterChild;
  redisSeconds: Histogram<"script">;
}

const byRegistry = new WeakMap<Registry, RateLimitMetrics>();

export function rateLimitMetrics(registry: Registry): RateLimitMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const batched = new BatchedCounts<"limiter" | "outcome">();
  const found = existing<Counter<"limiter" | "outcome">>("kappa_gateway_ratelimit_decisions_total");
  const decisions =
    found ??
    new Counter({
      name: "kappa_gateway_ratelimit_decisions_total",
      help: "Rate-limit and usage-plan decisions by limiter and outcome (admitted, throttled, quota, local_deny, redis_error)",
      labelNames: ["limiter", "outcome"],
      registers: [registry],
      collect() {
        batched.flushInto(this);
      },
    });
  metrics = {
    decisions,
    // A counter made elsewhere has no collect hook of ours: count into it directly.
    decisionChild: (labels) => (found ? found.labels(labels) : batched.child(labels)),
    redisSeconds:
      existing<Histogram<"script">>("kappa_gateway_ratelimit_redis_seconds") ??
      new Histogram({
        name: "kappa_gateway_ratelimit_redis_seconds",
        help: "Time of one rate-limit script round trip to Redis",
        labelNames: ["script"],
        buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
        registers: [registry],
      }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

/** One limiter's decision counters by outcome, each child made once, on first use. */
export class LimiterCounters {
  private readonly children = new Map<string, CounterChild>();

  constructor(
    private readonly metrics: RateLimitMetrics,
    private readonly limiter: string,
  ) {}

  count(outcome: string): void {
    let child = this.children.get(outcome);
    if (!child) {
      child = this.metrics.decisionChild({ limiter: this.limiter, outcome });
      this.children.set(outcome, child);
    }
    child.inc();
  }
}

/** The decision counters of every limiter name ("route", "usage_plan", ...). */
export class DecisionCounters {
  private readonly byLimiter = new Map<string, LimiterCounters>();

  constructor(private readonly metrics: RateLimitMetrics) {}

  of(limiter: string): LimiterCounters {
    let counters = this.byLimiter.get(limiter);
    if (!counters) {
      counters = new LimiterCounters(this.metrics, limiter);
      this.byLimiter.set(limiter, counters);
    }
    return counters;
  }
}
