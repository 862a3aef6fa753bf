// The API key stage's synchronous path and its prepared usage-plan buckets, against a scripted Redis. Keys,
// throttles and quotas against a real Redis are tested in test/integration/gateway/auth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { MemoryResourceStore, type StoredResource } from "../../api/index.js";
import type { GatewayRequest } from "../http/gateway-request.js";
import { apiKeyStage } from "./api-key-stage.js";

const KEY = "unit-key-0123456789abcdefghij";

const resource = (kind: string, name: string, spec: object): StoredResource => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind,
  metadata: { name, namespace: "ns" },
  spec,
});

function setup(plan: object, reply: [number, number, number, number]) {
  const store = new MemoryResourceStore();
  store.upsert({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", namespace: "ns" },
    stringData: { apiKey: KEY },
  });
  store.upsert(resource("ApiKey", "k", { secretRef: { name: "s" }, usagePlan: "gold" }));
  store.upsert(resource("UsagePlan", "gold", plan));
  const calls: string[][] = [];
  const answer = async (_sha: string, numKeys: number, ...rest: (string | number)[]) => {
    calls.push(rest.slice(0, numKeys).map(String));
    return reply;
  };
  let now = Date.parse("2026-11-22T23:59:59.000Z");
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const stage = apiKeyStage({
    store,
    redis: {
      evalsha: answer,
      eval: (_s: string, n: number, ...r: (string | number)[]) => answer("", n, ...r),
    },
    clock,
    registry: new Registry(),
  });
  return { store, stage, calls, clock };
}

const request = (): GatewayRequest => ({
  id: "r",
  method: "GET",
  rawPath: "/x",
  rawQuery: "",
  headers: { "x-api-key": KEY },
  host: "h",
  sourceIp: "10.0.0.1",
  receivedAt: 0,
  route: {
    routeRef: { namespace: "ns", name: "r1" },
    routeKey: "GET /x",
    resourcePath: "/x",
    pathParameters: {},
    function: { namespace: "ns", name: "fn" },
    payloadFormatVersion: "2.0",
    auth: { apiKeyRequired: true },
  },
  identity: {},
});

test("a key its lease admits passes synchronously, with its identity set", async () => {
  // admitted, a lease of 5
  const { stage, calls } = setup({ throttle: { rateLimit: 1000, burstLimit: 1000 } }, [1, 0, -1, 5]);
  const first = stage(request());
  assert.ok(first instanceof Promise, "no lease yet: Redis decides");
  await first;
  const second = request();
  assert.equal(stage(second), undefined, "admitted under the lease without a promise");
  assert.equal(second.identity.apiKey?.id, "ns/k");
  assert.equal(calls.length, 1);
  stage.close();
});

test("the prepared quota buckets follow the period: a new day counts on a new key", async () => {
  const { stage, calls, clock } = setup({ quota: { limit: 100, period: "DAY" } }, [1, 0, 50, 0]);
  await stage(request());
  await stage(request());
  clock.advance(1000); // 2026-11-23T00:00:00Z
  await stage(request());
  const today = Date.parse("2026-11-22T00:00:00.000Z");
  const tomorrow = Date.parse("2026-11-23T00:00:00.000Z");
  assert.deepEqual(
    calls.map((keys) => keys[1]),
    [
      `kappa:rl:q:${today}:ns/gold|ns/k`,
      `kappa:rl:q:${today}:ns/gold|ns/k`,
      `kappa:rl:q:${tomorrow}:ns/gold|ns/k`,
    ],
  );
  stage.close();
});

test("a changed plan is used from the next request on (new limits, new keys)", async () => {
  const { store, stage, calls } = setup({ throttle: { rateLimit: 10, burstLimit: 20 } }, [1, 0, -1, 0]);
  await stage(request());
  store.upsert(resource("UsagePlan", "gold", { throttle: { rateLimit: 100, burstLimit: 200 } }));
  await stage(request());
  assert.deepEqual(
    calls.map((keys) => keys[0]),
    ["kappa:rl:p:100000:20:ns/gold|ns/k", "kappa:rl:p:10000:200:ns/gold|ns/k"],
  );
  store.upsert(
    resource("UsagePlan", "gold", {
      throttle: { rateLimit: 100, burstLimit: 200 },
      routeThrottles: [{ route: "r1", throttle: { rateLimit: 1, burstLimit: 2 } }],
    }),
  );
  await stage(request());
  assert.equal(calls[2]![0], "kappa:rl:p:1000000:2:ns/gold|ns/k|route:r1", "the route's own throttle");
  stage.close();
});
