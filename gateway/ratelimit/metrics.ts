// Rate-limit metrics. Created once per registry, so several stages (and tests) can share one.
import { Counter, Histogram, type Registry } from "prom-client";

export interface RateLimitMetrics {
  decisions: Counter<"limiter" | "outcome">;
  redisSeconds: Histogram<"script">;
}

const byRegistry = new WeakMap<Registry, RateLimitMetrics>();

export function rateLimitMetrics(registry: Registry): RateLimitMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  metrics = {
    decisions:
      existing<Counter<"limiter" | "outcome">>("kappa_gateway_ratelimit_decisions_total") ??
      new Counter({
        name: "kappa_gateway_ratelimit_decisions_total",
        help: "Rate-limit and usage-plan decisions by limiter and outcome (admitted, throttled, quota, local_deny, redis_error)",
        labelNames: ["limiter", "outcome"],
        registers: [registry],
      }),
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
