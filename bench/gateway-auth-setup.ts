// For bench/gateway.ts: a Route at /bench/noop that requires an API key (with a usage plan) and has a route
// rate limit, both far above the load so the bench measures their cost, not their refusals.
import type { MemoryResourceStore } from "../api/store.js";

const KEY = "bench-api-key-0123456789abcdefghij";

export async function benchStages({ store }: { store: MemoryResourceStore; redis: unknown }) {
  const meta = (name: string) => ({ namespace: "bench", name });
  store.upsert({
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta("bench-key"),
    data: { apiKey: Buffer.from(KEY).toString("base64") },
  });
  store.upsert({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "UsagePlan",
    metadata: meta("bench-plan"),
    spec: { throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 } },
  });
  store.upsert({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "ApiKey",
    metadata: meta("bench-key"),
    spec: { secretRef: { name: "bench-key", key: "apiKey" }, usagePlan: "bench-plan", enabled: true },
  });
  store.upsert({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Route",
    metadata: meta("bench-route"),
    spec: {
      path: "/bench/noop",
      methods: ["ANY"],
      function: { name: "noop" },
      priority: 0,
      payloadFormatVersion: "2.0",
      auth: { apiKeyRequired: true },
      rateLimit: { perSecond: 1_000_000, burst: 1_000_000, by: "route" },
      timeoutMilliseconds: 30_000,
    },
  });
  // undefined stages = the gateway's default chain (pipeline.ts), the one production runs.
  return { stages: undefined, headers: { "x-api-key": KEY } };
}
