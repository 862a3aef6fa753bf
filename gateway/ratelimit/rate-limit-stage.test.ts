import { test } from "node:test";
import assert from "node:assert/strict";
import type { GatewayRequest } from "../http/gateway-request.js";
import { rateLimitBucket, rateLimitStage } from "./rate-limit-stage.js";
import { rateLimitProblem, retryAfterSeconds, emissionIntervalUs } from "./rate-limit.js";
import { createLimiter } from "./limiter-factory.js";

const request = (by: "route" | "apiKey" | "sourceIp", withKey = false, routeRef = true): GatewayRequest => ({
  id: "r",
  method: "GET",
  rawPath: "/x",
  rawQuery: "",
  headers: {},
  host: "h",
  sourceIp: "10.0.0.1",
  receivedAt: 0,
  route: {
    routeRef: routeRef ? { namespace: "ns", name: "r1" } : undefined,
    routeKey: "GET /x",
    resourcePath: "/x",
    pathParameters: {},
    function: { namespace: "ns", name: "fn" },
    payloadFormatVersion: "2.0",
    rateLimit: { perSecond: 1, burst: 1, by },
  },
  identity: withKey ? { apiKey: { id: "ns/k1", name: "k1", namespace: "ns" } } : {},
});

test("buckets: per route, per API key (source IP without a key), per source IP", () => {
  const table: Array<[GatewayRequest, string]> = [
    [request("route"), "route:ns/r1"],
    [request("route", false, false), "fn:ns/fn"],
    [request("apiKey", true), "route:ns/r1|key:ns/k1"],
    [request("apiKey", false), "route:ns/r1|ip:10.0.0.1"],
    [request("sourceIp"), "route:ns/r1|ip:10.0.0.1"],
  ];
  for (const [r, bucket] of table) assert.equal(rateLimitBucket(r), bucket);
});

test("limit problems name the field and the allowed range", () => {
  assert.equal(rateLimitProblem({ perSecond: 0.5, burst: 1 }, "route.rateLimit"), undefined);
  assert.match(
    rateLimitProblem({ perSecond: 0, burst: 1 }, "route.rateLimit") ?? "",
    /route\.rateLimit\.perSecond must be a number greater than 0/,
  );
  assert.match(
    rateLimitProblem({ perSecond: 1, burst: 1.5 }, "x") ?? "",
    /x\.burst must be an integer between 1/,
  );
  assert.match(rateLimitProblem(undefined, "x") ?? "", /x must be an object/);
});

test("Retry-After is whole seconds, at least 1; emission intervals in microseconds", () => {
  assert.deepEqual([0, 1, 999, 1000, 1001].map(retryAfterSeconds), ["1", "1", "1", "1", "2"]);
  assert.equal(emissionIntervalUs(1), 1_000_000);
  assert.equal(emissionIntervalUs(0.5), 2_000_000);
  assert.equal(emissionIntervalUs(3), 333_333);
});

test("bad options are refused when built", () => {
  assert.throws(() => rateLimitStage({} as never), /give option "redis".*or "limiter"/);
  const redis = { evalsha: async () => [1, 0, 0], eval: async () => [1, 0, 0] };
  assert.throws(() => createLimiter({ redis, prefix: "has space" }), /"prefix" must be a non-empty string/);
  assert.throws(
    () => createLimiter({ redis, redisTimeoutMs: 0 }),
    /"redisTimeoutMs" must be a positive number/,
  );
  assert.throws(() => createLimiter({ redis: {} as never }), /must be an ioredis client/);
  assert.throws(() => createLimiter({ redis, clock: {} as never }), /"clock" must have a now\(\) method/);
});

test("a route without a rate limit never reaches the limiter; a broken limit answers 500, never 'no limit'", async () => {
  let calls = 0;
  const redis = { evalsha: async () => (calls++, [1, 0, 0]), eval: async () => [1, 0, 0] };
  const stage = rateLimitStage({ limiter: createLimiter({ redis }) });
  const plain = request("route");
  delete plain.route!.rateLimit;
  await stage(plain);
  assert.equal(calls, 0);
  const broken = request("route");
  broken.route!.rateLimit = { perSecond: -1, burst: 1, by: "route" };
  await assert.rejects(
    async () => stage(broken),
    (e: { status?: number }) => e.status === 500,
  );
  await stage(request("route"));
  assert.equal(calls, 1);
});

test("a request a lease admits passes synchronously (no promise); one past the lease waits for Redis", async () => {
  let calls = 0;
  // admitted, a lease of 1
  const reply = async () => (calls++, [1, 0, 100, 1]);
  const stage = rateLimitStage({ limiter: createLimiter({ redis: { evalsha: reply, eval: reply } }) });
  const first = stage(request("route"));
  assert.ok(first instanceof Promise, "no lease yet");
  await first;
  assert.equal(stage(request("route")), undefined, "admitted under the lease, synchronously");
  assert.equal(calls, 1);
  const third = stage(request("route"));
  assert.ok(third instanceof Promise, "the lease is used up");
  await third;
  assert.equal(calls, 2);
});

test("a limit is checked per route: another route with the same limit object has its own bucket", async () => {
  const buckets: string[] = [];
  const reply = async (_sha: string, _n: number, key: string) => (buckets.push(key), [1, 0, 0, 0]);
  const stage = rateLimitStage({ limiter: createLimiter({ redis: { evalsha: reply, eval: reply } }) });
  const a = request("route");
  const b = request("route", false, false);
  b.route!.rateLimit = a.route!.rateLimit;
  await stage(a);
  await stage(b);
  await stage(a);
  assert.deepEqual(buckets, [
    "kappa:rl:b:1000000:1:route:ns/r1",
    "kappa:rl:b:1000000:1:fn:ns/fn",
    "kappa:rl:b:1000000:1:route:ns/r1",
  ]);
});
