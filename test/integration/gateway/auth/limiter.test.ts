// The shared limiter against a real Redis: GCRA exactness across two replicas, Retry-After, quotas with offsets.
// Each "replica" is its own Limiter on its own Redis connection, as two gateway pods would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { uniquePrefix } from "../../../support/redis.js";
import { createLimiter, quotaWindow, type Clock } from "../../../../gateway/ratelimit/index.js";
import { redisPerFile } from "./helpers.js";

const redis = redisPerFile();

function replica(prefix: string, clock?: Clock) {
  const client = redis.connect();
  // Fail closed with a long timeout: on a loaded machine a slow answer must not turn into an admission.
  return createLimiter({
    redis: client,
    prefix,
    clock,
    registry: new Registry(),
    failOpen: false,
    redisTimeoutMs: 30_000,
  });
}

test("a burst against 2 gateway replicas admits exactly the configured burst (+-1)", async () => {
  const prefix = uniquePrefix("burst");
  const [a, b] = [replica(prefix), replica(prefix)];
  // A very slow steady rate so no refill happens during the burst however loaded the machine: the bound under
  // test is the burst.
  const limit = { perSecond: 0.001, burst: 25 };
  const decisions = await Promise.all(
    Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? a : b).take("route:default/burst", limit)),
  );
  const admitted = decisions.filter((d) => d.allowed).length;
  assert.ok(admitted >= 25 && admitted <= 26, `admitted ${admitted}, want 25 (+-1)`);
  const refused = decisions.filter((d) => !d.allowed);
  assert.equal(refused.length, 300 - admitted);
  // Retry-After is at most one emission interval away (here 1000 s).
  for (const decision of refused) assert.ok(decision.retryAfterMs > 0 && decision.retryAfterMs <= 1_000_000);
});

test("both replicas refuse once the shared bucket is empty, and admit again after Retry-After", async () => {
  const prefix = uniquePrefix("refill");
  const [a, b] = [replica(prefix), replica(prefix)];
  const limit = { perSecond: 10, burst: 2 };
  assert.equal((await a.take("k", limit)).allowed, true);
  assert.equal((await b.take("k", limit)).allowed, true);
  const refusedA = await a.take("k", limit);
  const refusedB = await b.take("k", limit);
  assert.equal(refusedA.allowed, false);
  assert.equal(refusedB.allowed, false);
  await new Promise((r) => setTimeout(r, Math.max(refusedA.retryAfterMs, refusedB.retryAfterMs) + 20));
  assert.equal((await a.take("k", limit)).allowed, true);
});

test("separate buckets do not share tokens, and a changed limit starts a fresh bucket", async () => {
  const prefix = uniquePrefix("sep");
  const a = replica(prefix);
  const limit = { perSecond: 1, burst: 1 };
  assert.equal((await a.take("ip:1", limit)).allowed, true);
  assert.equal((await a.take("ip:1", limit)).allowed, false);
  assert.equal((await a.take("ip:2", limit)).allowed, true);
  assert.equal((await a.take("ip:1", { perSecond: 1, burst: 3 })).allowed, true);
});

test("the usage-plan script: throttle and quota together, quota refusal with Retry-After to the period end", async () => {
  const prefix = uniquePrefix("plan");
  let now = Date.parse("2026-11-22T23:59:00.000Z");
  const clock = { now: () => now };
  const [a, b] = [replica(prefix, clock), replica(prefix, clock)];
  const window = () => {
    const w = quotaWindow("DAY", now);
    return { limit: 3, offset: 0, periodStart: w.start, periodEnd: w.end };
  };
  const outcomes: string[] = [];
  for (let i = 0; i < 4; i++)
    outcomes.push((await (i % 2 ? b : a).takeUsage("default/key1", { quota: window() })).outcome);
  assert.deepEqual(outcomes, ["admitted", "admitted", "admitted", "quota"]);
  const refused = await b.takeUsage("default/key1", { quota: window() });
  assert.equal(refused.outcome, "quota");
  assert.ok(refused.outcome === "quota" && refused.retryAfterMs > 55_000 && refused.retryAfterMs <= 60_000);

  now += 120_000; // the next UTC day: a new counter
  assert.equal((await a.takeUsage("default/key1", { quota: window() })).outcome, "admitted");
});

test("the quota offset counts as used in the first period only", async () => {
  const prefix = uniquePrefix("offset");
  let now = Date.parse("2026-11-22T10:00:00.000Z");
  const a = replica(prefix, { now: () => now });
  const quota = () => {
    const w = quotaWindow("DAY", now);
    return { quota: { limit: 3, offset: 2, periodStart: w.start, periodEnd: w.end } };
  };
  assert.equal((await a.takeUsage("k", quota())).outcome, "admitted");
  assert.equal((await a.takeUsage("k", quota())).outcome, "quota");
  now += 86_400_000;
  const next = [];
  for (let i = 0; i < 4; i++) next.push((await a.takeUsage("k", quota())).outcome);
  assert.deepEqual(next, ["admitted", "admitted", "admitted", "quota"]);
});

test("a throttled usage-plan request does not spend quota", async () => {
  const prefix = uniquePrefix("nospend");
  const now = Date.parse("2026-11-22T10:00:00.000Z");
  const a = replica(prefix, { now: () => now });
  const w = quotaWindow("MONTH", now);
  const limits = {
    throttle: { perSecond: 0.01, burst: 2 },
    quota: { limit: 3, offset: 0, periodStart: w.start, periodEnd: w.end },
  };
  const outcomes = [];
  for (let i = 0; i < 5; i++) outcomes.push((await a.takeUsage("k", limits)).outcome);
  assert.deepEqual(outcomes, ["admitted", "admitted", "throttled", "throttled", "throttled"]);
  // With the throttle lifted the quota still has exactly one request left.
  const unthrottled = { quota: limits.quota };
  assert.equal((await a.takeUsage("k", unthrottled)).outcome, "admitted");
  assert.equal((await a.takeUsage("k", unthrottled)).outcome, "quota");
});

test("when Redis does not answer, the limiter fails open by default and closed when told", async () => {
  const dead = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  dead.on("error", () => undefined);
  redis.track(dead);
  const open = createLimiter({ redis: dead, registry: new Registry(), redisTimeoutMs: 100 });
  const closed = createLimiter({
    redis: dead,
    registry: new Registry(),
    redisTimeoutMs: 100,
    failOpen: false,
  });
  assert.equal((await open.take("k", { perSecond: 1, burst: 1 })).allowed, true);
  assert.equal((await closed.take("k", { perSecond: 1, burst: 1 })).allowed, false);
});
