// Rate-limit metrics. Created once per registry, so several stages (and tests) can share one.
import { Counter, Histogram, type LabelValues, type Registry } from "prom-client";
import { OutcomeCounts, batchedCounter, type CounterChild } from "./batched-counter.js";

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
  const decisions = batchedCounter(registry, {
    name: "kappa_gateway_ratelimit_decisions_total",
    help: "Rate-limit and usage-plan decisions by limiter and outcome (admitted, throttled, quota, local_deny, redis_error)",
    labelNames: ["limiter", "outcome"],
  });
  metrics = {
    decisions: decisions.counter,
    decisionChild: decisions.child,
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

/** The decision counters of every limiter name ("route", "usage_plan", ...). */
export class DecisionCounters {
  private readonly byLimiter = new Map<string, OutcomeCounts>();

  constructor(private readonly metrics: RateLimitMetrics) {}

  /** The counters of one limiter, by outcome. */
  of(limiter: string): OutcomeCounts {
    let counters = this.byLimiter.get(limiter);
    if (!counters) {
      counters = new OutcomeCounts((outcome) => this.metrics.decisionChild({ limiter, outcome }));
      this.byLimiter.set(limiter, counters);
    }
    return counters;
  }
}
