import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { rateLimitMetrics } from "./metrics.js";
import { authMetrics } from "../auth/metrics.js";

test("decisions counted by hot-path children are exact whenever the registry is read", async () => {
  const registry = new Registry();
  const metrics = rateLimitMetrics(registry);
  const admitted = metrics.decisionChild({ limiter: "route", outcome: "admitted_locally" });
  const keys = authMetrics(registry).apiKeyDecisionChild({ outcome: "admitted" });
  for (let i = 0; i < 3; i++) admitted.inc();
  keys.inc();
  let text = await registry.metrics();
  assert.match(
    text,
    /kappa_gateway_ratelimit_decisions_total\{limiter="route",outcome="admitted_locally"\} 3\n/,
  );
  assert.match(text, /kappa_gateway_api_key_decisions_total\{outcome="admitted"\} 1\n/);
  admitted.inc();
  metrics.decisions.inc({ limiter: "route", outcome: "admitted_locally" });
  text = await registry.metrics();
  assert.match(text, /outcome="admitted_locally"\} 5\n/, "added once, not again on the next read");
  const json = await registry.getMetricsAsJSON();
  const series = json.find((m) => m.name === "kappa_gateway_ratelimit_decisions_total")?.values;
  assert.equal(series?.[0]?.value, 5);
});
