// The limiter's synchronous local path against a scripted Redis: what a lease or the deny cache decides comes
// back as a value (no promise), everything else asks Redis. The exactness across replicas is tested against a real
// Redis in test/integration/gateway/auth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createLimiter } from "./limiter-factory.js";

type Reply = [number, number, number, number];

/** A Redis that answers every script call with the next reply and records the keys and arguments. */
function scriptedRedis(replies: (keys: string[]) => Reply) {
  const calls: { keys: string[]; args: (string | number)[] }[] = [];
  const answer = async (_sha: string, numKeys: number, ...rest: (string | number)[]) => {
    const keys = rest.slice(0, numKeys).map(String);
    calls.push({ keys, args: rest.slice(numKeys) });
    return replies(keys);
  };
  return {
    calls,
    redis: {
      evalsha: answer,
      eval: (_script: string, n: number, ...r: (string | number)[]) => answer("", n, ...r),
    },
  };
}

const limit = { perSecond: 1000, burst: 1000 };

test("a request under a granted lease is decided synchronously; past the lease it asks Redis", async () => {
  // admitted, 100 remaining, a lease of 2
  const { calls, redis } = scriptedRedis(() => [1, 0, 100, 2]);
  const limiter = createLimiter({ redis, registry: new Registry() });
  const bucket = limiter.prepareTake("route:ns/r", limit);

  const first = limiter.decide(bucket);
  assert.ok(first instanceof Promise, "no lease yet: Redis decides");
  assert.equal((await first).allowed, true);
  assert.equal(calls.length, 1);

  for (let i = 0; i < 2; i++) {
    const local = limiter.decide(bucket);
    assert.ok(!(local instanceof Promise), `request ${i + 1} under the lease is decided without a promise`);
    assert.equal(local.allowed, true);
  }
  assert.equal(calls.length, 1, "the lease admitted without Redis");

  const third = limiter.decide(bucket);
  assert.ok(third instanceof Promise, "the lease is used up: Redis decides");
  assert.equal((await third).allowed, true);
  assert.equal(calls.length, 2);
  assert.equal(calls[1]!.args[4], 2, "the next call debits the two requests admitted locally");
  await limiter.close();
});

test("a refusal is remembered: the next request of the bucket is refused synchronously with the time left", async () => {
  let now = 1_000_000;
  const { calls, redis } = scriptedRedis(() => [0, 1_500_000, 0, 0]);
  const limiter = createLimiter({ redis, registry: new Registry(), clock: { now: () => now } });
  const bucket = limiter.prepareTake("route:ns/r", limit);
  const refused = await limiter.decide(bucket);
  assert.deepEqual(refused, { allowed: false, retryAfterMs: 1500, remaining: 0 });

  now += 500;
  const cached = limiter.decide(bucket);
  assert.ok(!(cached instanceof Promise));
  assert.deepEqual(cached, { allowed: false, retryAfterMs: 1000, remaining: 0 });
  assert.equal(calls.length, 1);

  now += 1000;
  assert.ok(limiter.decide(bucket) instanceof Promise, "the refusal has run out: Redis decides again");
  await limiter.close();
});

test("prepared usage buckets name the quota period they were prepared for", async () => {
  const { calls, redis } = scriptedRedis(() => [1, 0, 10, 0]);
  const limiter = createLimiter({ redis, registry: new Registry() });
  const quota = (start: number) => ({
    limit: 50,
    offset: 0,
    periodStart: start,
    periodEnd: start + 86_400_000,
  });
  const today = limiter.prepareUsage("ns/plan|ns/key", { quota: quota(0) });
  const tomorrow = limiter.prepareUsage("ns/plan|ns/key", { quota: quota(86_400_000) });
  await limiter.decideUsage(today);
  await limiter.decideUsage(tomorrow);
  assert.equal(calls[0]!.keys[1], "kappa:rl:q:0:ns/plan|ns/key");
  assert.equal(calls[1]!.keys[1], "kappa:rl:q:86400000:ns/plan|ns/key");
  assert.equal(calls[0]!.keys[2], calls[1]!.keys[2], "one 'started' key across periods");
  await limiter.close();
});

test("take and takeUsage still answer with promises, built from the same prepared path", async () => {
  const { redis } = scriptedRedis((keys) => (keys[0]!.includes(":p:") ? [2, 3_000_000, 0, 0] : [1, 0, 5, 0]));
  const limiter = createLimiter({ redis, registry: new Registry() });
  assert.deepEqual(await limiter.take("route:x", limit), { allowed: true, retryAfterMs: 0, remaining: 5 });
  const quota = { limit: 1, offset: 0, periodStart: 0, periodEnd: Date.now() + 10_000 };
  assert.deepEqual(await limiter.takeUsage("p|k", { quota }), { outcome: "quota", retryAfterMs: 3000 });
  assert.equal(
    (await limiter.takeUsage("p|k", { quota })).outcome,
    "quota",
    "remembered until the period ends",
  );
  await limiter.close();
});

test("a refusal caused only by other replicas' reservations names when they settle and is not remembered", async () => {
  // refused with no time of its own: other replicas' leases hold the headroom, on every retry
  const { calls, redis } = scriptedRedis(() => [0, 0, 0, 0]);
  const limiter = createLimiter({ redis, registry: new Registry() });
  const bucket = limiter.prepareTake("route:ns/r", limit);
  const refused = await limiter.decide(bucket);
  assert.equal(refused.allowed, false);
  assert.ok(refused.retryAfterMs > 0, `a refusal always names a wait, got ${refused.retryAfterMs}`);
  assert.ok(calls.length > 1, "asked again after the reservations must have settled");
  const next = limiter.decide(bucket);
  assert.ok(next instanceof Promise, "reservations may come back unused: the next request asks Redis again");
  await next;

  const usage = limiter.prepareUsage("ns/plan|ns/key", { throttle: limit });
  const throttled = await limiter.decideUsage(usage);
  assert.equal(throttled.outcome, "throttled");
  assert.ok(throttled.outcome === "throttled" && throttled.retryAfterMs > 0);
  await limiter.close();
});
