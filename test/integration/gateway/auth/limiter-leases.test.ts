// The limiter's local fast path under its limit (gateway/ratelimit/leases.ts) against a real Redis: most admitted
// requests do not wait for Redis, what was admitted locally is debited exactly, and two replicas under
// sustained load never admit more than the limit allows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { uniquePrefix } from "../../../support/redis.js";
import { createLimiter, quotaWindow, type Limiter } from "../../../../gateway/ratelimit/index.js";
import { redisPerFile } from "./helpers.js";

const redis = redisPerFile();

/** A replica on its own connection, counting the script calls it makes. */
function replica(prefix: string, replicas = 2): { limiter: Limiter; calls: () => number } {
  const client = redis.connect();
  let calls = 0;
  const counting = {
    evalsha: (...args: Parameters<Redis["evalsha"]>) => {
      calls++;
      return client.evalsha(...args);
    },
    eval: (...args: Parameters<Redis["eval"]>) => {
      calls++;
      return client.eval(...args);
    },
  };
  const limiter = createLimiter({
    redis: counting,
    prefix,
    registry: new Registry(),
    failOpen: false,
    redisTimeoutMs: 30_000,
    replicas: () => replicas,
  });
  return { limiter, calls: () => calls };
}

/** `total` requests through `take`, `concurrency` at a time; returns how many were admitted. */
async function drive(total: number, concurrency: number, take: () => Promise<boolean>): Promise<number> {
  let started = 0;
  let admitted = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started++;
        if (await take()) admitted++;
      }
    }),
  );
  return admitted;
}

test("most requests under their limit are admitted without a Redis round trip", async () => {
  const prefix = uniquePrefix("lease-calls");
  const [a, b] = [replica(prefix), replica(prefix)];
  const limit = { perSecond: 1_000_000, burst: 1_000_000 };
  const admitted = await Promise.all(
    [a, b].map((r) => drive(3000, 10, async () => (await r.limiter.take("route:x", limit)).allowed)),
  );
  assert.deepEqual(admitted, [3000, 3000]);
  const calls = a.calls() + b.calls();
  assert.ok(calls * 10 < 6000, `${calls} script calls for 6000 admitted requests; want fewer than 1 in 10`);
  await Promise.all([a.limiter.close(), b.limiter.close()]);
});

test("a busy replica's leases grow, so it asks Redis about once per lease period rather than per 256", async () => {
  const prefix = uniquePrefix("lease-growth");
  const a = replica(prefix, 1);
  const limit = { perSecond: 1_000_000, burst: 1_000_000 };
  const admitted = await drive(30_000, 20, async () => (await a.limiter.take("route:busy", limit)).allowed);
  assert.equal(admitted, 30_000);
  // Leases of a fixed MIN_LEASE (256) would take at least 30,000 / 256 = 118 calls.
  assert.ok(a.calls() < 40, `${a.calls()} script calls for 30,000 admitted requests; want fewer than 40`);
  await a.limiter.close();
});

test("usage plans (throttle + quota) admit locally too, and the quota is debited exactly", async () => {
  const prefix = uniquePrefix("lease-plan");
  const [a, b] = [replica(prefix), replica(prefix)];
  const now = Date.now();
  const window = quotaWindow("MONTH", now);
  const limits = {
    throttle: { perSecond: 1_000_000, burst: 1_000_000 },
    quota: { limit: 2500, offset: 0, periodStart: window.start, periodEnd: window.end },
  };
  const take = (r: typeof a) => async () =>
    (await r.limiter.takeUsage("plan|key", limits)).outcome === "admitted";
  const admitted = await Promise.all([drive(1000, 10, take(a)), drive(1000, 10, take(b))]);
  assert.deepEqual(admitted, [1000, 1000]);
  assert.ok(a.calls() + b.calls() < 400, `${a.calls() + b.calls()} script calls for 2000 admitted requests`);
  await Promise.all([a.limiter.close(), b.limiter.close()]);
  // Everything admitted locally was debited: exactly 500 are left, for anyone.
  const c = replica(prefix);
  assert.equal(await drive(600, 5, take(c)), 500);
  await c.limiter.close();
});

test("what replicas admitted under leases is debited: a slow bucket admits exactly its burst in total", async () => {
  const prefix = uniquePrefix("lease-debit");
  const [a, b] = [replica(prefix), replica(prefix)];
  // No refill to speak of during the test: the burst is the whole budget.
  const limit = { perSecond: 0.001, burst: 1000 };
  const take = (r: typeof a) => async () => (await r.limiter.take("route:slow", limit)).allowed;
  const first = await Promise.all([drive(300, 10, take(a)), drive(300, 10, take(b))]);
  assert.deepEqual(first, [300, 300]);
  assert.ok(a.calls() + b.calls() < 200, `${a.calls() + b.calls()} script calls for 600 admitted requests`);
  // Without closing (settling) the leases: a third replica sees the reservations and admits only the rest, and
  // then nobody admits more.
  const c = replica(prefix);
  const rest = await Promise.all([drive(600, 10, take(c)), drive(100, 5, take(a)), drive(100, 5, take(b))]);
  const total = 600 + rest.reduce((x, y) => x + y, 0);
  assert.ok(total >= 999 && total <= 1000, `admitted ${total} in total, want the burst of 1000 (-1)`);
  await Promise.all([a.limiter.close(), b.limiter.close(), c.limiter.close()]);
});

test("two replicas under sustained load never admit more than the limit over the run", async () => {
  const prefix = uniquePrefix("lease-sustained");
  const [a, b] = [replica(prefix), replica(prefix)];
  const limit = { perSecond: 100, burst: 300 };
  const startedAt = Date.now();
  const deadline = startedAt + 1500;
  let admitted = 0;
  let refused = 0;
  const load = (r: typeof a) =>
    Promise.all(
      Array.from({ length: 15 }, async () => {
        while (Date.now() < deadline) {
          if ((await r.limiter.take("route:sustained", limit)).allowed) admitted++;
          else {
            refused++;
            // A refused client backs off a little, as a real one would; the deny cache answers meanwhile.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
      }),
    );
  await Promise.all([load(a), load(b)]);
  const elapsedS = (Date.now() - startedAt) / 1000;
  // GCRA's bound for any run of this length: the burst plus the steady rate (+1 for the request in progress).
  const bound = limit.burst + Math.floor(limit.perSecond * elapsedS) + 1;
  assert.ok(refused > 0, "the load must exceed the limit for the test to mean anything");
  assert.ok(admitted <= bound, `admitted ${admitted} in ${elapsedS.toFixed(2)} s; the limit allows ${bound}`);
  // Leases must not starve the bucket either: well over half of what the limit allows was admitted.
  assert.ok(admitted > bound / 2, `admitted only ${admitted} of the ${bound} the limit allows`);
  await Promise.all([a.limiter.close(), b.limiter.close()]);
});
