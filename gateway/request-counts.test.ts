// The locally counted request metrics must read exactly as prom-client's own Counter and Histogram read when
// fed the same requests one by one: names, help, labels, series order, buckets, sum and count.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Counter, Histogram, Registry } from "prom-client";
import { GatewayMetrics } from "./metrics.js";

function reference(registry: Registry) {
  const requests = new Counter({
    name: "kappa_gateway_requests_total",
    help: "Requests answered, by route key, function and HTTP status",
    labelNames: ["route", "function", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "kappa_gateway_request_duration_seconds",
    help: "Time from request received to response sent, by function",
    labelNames: ["function"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (route: string, fn: string, status: number, seconds: number) => {
    requests.inc({ route, function: fn, status: String(status) });
    duration.observe({ function: fn }, seconds);
  };
}

const REQUEST_METRICS = /^kappa_gateway_request(s_total|_duration_seconds)/;
/** The two request metrics' text (the other gateway metrics are not in the reference registry). */
async function requestMetricsText(registry: Registry): Promise<string> {
  const blocks = (await registry.metrics()).split("\n\n").map((block) => block.trim());
  return blocks.filter((block) => REQUEST_METRICS.test(block.replace(/^# (HELP|TYPE) /, ""))).join("\n\n");
}

async function requestMetricsJson(registry: Registry) {
  return (await registry.getMetricsAsJSON()).filter((metric) => REQUEST_METRICS.test(metric.name));
}

/** Deterministic pseudo-random requests over several routes, functions and statuses. */
function* requests(count: number, seed: number): Generator<[string, string, number, number]> {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const routes = ["ANY /function/a/one", "GET /pets/{id}", "-", "POST /orders"];
  const functions = ["a/one", "b/two", "-"];
  const statuses = [200, 201, 404, 500, 502, 429];
  // bucket bounds exactly, between them, 0, and above the last bound (counted only in +Inf, sum and count)
  const durations = [0, 0.001, 0.0004, 0.0025, 0.003, 0.07, 1, 29.9, 30, 31, 120];
  for (let i = 0; i < count; i++) {
    const pick = <T>(all: T[]) => all[Math.floor(next() * all.length)]!;
    const seconds = next() < 0.5 ? pick(durations) : next() * next() * 2;
    yield [pick(routes), pick(functions), pick(statuses), seconds];
  }
}

test("request metrics read exactly as prom-client's, text and JSON, across scrapes", async () => {
  const registry = new Registry();
  const metrics = new GatewayMetrics(registry);
  const referenceRegistry = new Registry();
  const observe = reference(referenceRegistry);

  assert.equal(await requestMetricsText(registry), await requestMetricsText(referenceRegistry));
  let seed = 7;
  for (const batch of [1, 10, 1000, 5000]) {
    for (const [route, fn, status, seconds] of requests(batch, seed++)) {
      // fresh strings each time, as the handler builds them
      metrics.request(`${route}`, fn.split("/").join("/"), status, seconds);
      observe(route, fn, status, seconds);
    }
    assert.equal(await requestMetricsText(registry), await requestMetricsText(referenceRegistry));
    assert.deepEqual(await requestMetricsJson(registry), await requestMetricsJson(referenceRegistry));
  }
  const text = await requestMetricsText(registry);
  for (const fn of ["a/one", "b/two", "-"]) assert.ok(text.includes(`_count{function="${fn}"}`), fn);
  assert.equal(
    text.split("\n").filter((line) => line.startsWith("kappa_gateway_requests_total{")).length,
    72,
  );
});

test("a request above the last bucket counts only in +Inf, sum and count", async () => {
  const registry = new Registry();
  const metrics = new GatewayMetrics(registry);
  metrics.request("GET /x", "ns/fn", 200, 45);
  metrics.request("GET /x", "ns/fn", 200, 0.001);
  const text = await registry.metrics();
  assert.match(text, /_bucket\{le="0.001",function="ns\/fn"\} 1\n/);
  assert.match(text, /_bucket\{le="30",function="ns\/fn"\} 1\n/);
  assert.match(text, /_bucket\{le="\+Inf",function="ns\/fn"\} 2\n/);
  assert.match(text, /_sum\{function="ns\/fn"\} 45.001\n/);
  assert.match(text, /_count\{function="ns\/fn"\} 2\n/);
  assert.match(text, /kappa_gateway_requests_total\{route="GET \/x",function="ns\/fn",status="200"\} 2\n/);
});

test("a non-finite duration is refused as prom-client refuses it", () => {
  const metrics = new GatewayMetrics(new Registry());
  assert.throws(() => metrics.request("GET /x", "ns/fn", 200, Number.NaN), TypeError);
});
