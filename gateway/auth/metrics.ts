// Auth metrics, created once per registry.
import { Counter, type LabelValues, type Registry } from "prom-client";
import { BatchedCounts, type CounterChild } from "../ratelimit/batched-counter.js";

export interface AuthMetrics {
  apiKeyDecisions: Counter<"outcome">;
  /** a child of `apiKeyDecisions` for the hot path (counted locally, added when the registry is read) */
  apiKeyDecisionChild(labels: LabelValues<"outcome">): CounterChild;
  authorizerDecisions: Counter<"type" | "outcome">;
  authorizerCache: Counter<"result">;
}

const byRegistry = new WeakMap<Registry, AuthMetrics>();

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
  collect?: (counter: Counter<L>) => void,
): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      ...(collect && {
        collect() {
          collect(this);
        },
      }),
    })
  );
}

export function authMetrics(registry: Registry): AuthMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const batched = new BatchedCounts<"outcome">();
  const apiKeyName = "kappa_gateway_api_key_decisions_total";
  const madeHere = !registry.getSingleMetric(apiKeyName);
  const apiKeyDecisions = counter(
    registry,
    apiKeyName,
    "API key and usage-plan decisions by outcome",
    ["outcome"],
    (c) => batched.flushInto(c),
  );
  metrics = {
    apiKeyDecisions,
    // A counter made elsewhere has no collect hook of ours: count into it directly.
    apiKeyDecisionChild: (labels) => (madeHere ? batched.child(labels) : apiKeyDecisions.labels(labels)),
    authorizerDecisions: counter(
      registry,
      "kappa_gateway_authorizer_decisions_total",
      "Authorizer decisions by authorizer type and outcome",
      ["type", "outcome"],
    ),
    authorizerCache: counter(
      registry,
      "kappa_gateway_authorizer_cache_total",
      "Function authorizer result cache lookups (hit or miss)",
      ["result"],
    ),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
