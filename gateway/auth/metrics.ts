// Auth metrics, created once per registry.
import { Counter, type Registry } from "prom-client";

export interface AuthMetrics {
  apiKeyDecisions: Counter<"outcome">;
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
  metrics = {
    apiKeyDecisions: counter(
      registry,
      "kappa_gateway_api_key_decisions_total",
      "API key and usage-plan decisions by outcome",
      ["outcome"],
    ),
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
