// Auth metrics, created once per registry.
import { Counter, type LabelValues, type Registry } from "prom-client";
import { batchedCounter, type CounterChild } from "../ratelimit/batched-counter.js";

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
): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function authMetrics(registry: Registry): AuthMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const apiKeyDecisions = batchedCounter(registry, {
    name: "kappa_gateway_api_key_decisions_total",
    help: "API key and usage-plan decisions by outcome",
    labelNames: ["outcome"],
  });
  metrics = {
    apiKeyDecisions: apiKeyDecisions.counter,
    apiKeyDecisionChild: apiKeyDecisions.child,
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
