// Rate-limit decisions: what exactness across replicas costs (npm run bench -- ratelimit).
// Baseline: the same GCRA decided in process memory (what one replica alone could do, but not exact across
// replicas). Measured against it, in the same run and on the same Redis:
//   redis-sequential   one EVALSHA round trip per decision, one at a time: the latency a request pays
//   redis-concurrent   CONCURRENCY decisions in flight on one connection (how a busy gateway calls it)
//   redis-autopipeline the same with ioredis enableAutoPipelining (commands of one tick share one write)
//   local-deny         an exhausted bucket: refusals answered from the local cache without Redis
//   leased             under the limit with leases on (gateway/ratelimit/leases.ts): most admissions are
//                      local, one script call per lease settles the last one and takes the next
// The redis-* scenarios turn leases off (a replica count so large no lease is ever granted), so each of their
// decisions is one script call, as a request near its limit costs.
// Each scenario runs DECISIONS decisions on fresh buckets big enough that every one is an admission (except
// local-deny). Bounded: well under a minute.
import { globalAgent } from "node:http";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { createLimiter, type Limiter } from "../gateway/ratelimit/index.js";
import { startRedis } from "../test/support/redis.js";

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 20_000);
const CONCURRENCY = 50;
const BIG = { perSecond: 1_000_000, burst: 1_000_000 };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Result {
  name: string;
  perSecond: number;
  p50us: number;
  p99us: number;
}

function inProcessGcra() {
  const tat = new Map<string, number>();
  return (key: string, perSecond: number, burst: number) => {
    const now = performance.now() * 1000;
    const interval = 1_000_000 / perSecond;
    const t = Math.max(tat.get(key) ?? now, now);
    const next = t + interval;
    if (next - interval * burst > now) return false;
    tat.set(key, next);
    return true;
  };
}

async function measure(
  name: string,
  concurrency: number,
  decide: (i: number) => Promise<boolean> | boolean,
): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < DECISIONS) {
        const i = next++;
        const t = performance.now();
        await decide(i);
        latencies.push((performance.now() - t) * 1000);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    perSecond: DECISIONS / seconds,
    p50us: percentile(latencies, 50),
    p99us: percentile(latencies, 99),
  };
}

async function main() {
  const redis = await startRedis();
  const plain = new Redis(redis.url);
  const piped = new Redis(redis.url, { enableAutoPipelining: true });
  const limiter = (client: Redis, prefix: string, leases = false): Limiter =>
    createLimiter({
      redis: client,
      prefix,
      registry: new Registry(),
      failOpen: false,
      redisTimeoutMs: 30_000,
      replicas: leases ? () => 1 : () => Number.MAX_SAFE_INTEGER,
    });
  try {
    const gcra = inProcessGcra();
    const results: Result[] = [];
    results.push(
      await measure("in-process (baseline)", 1, (i) => gcra(`k${i % 100}`, BIG.perSecond, BIG.burst)),
    );
    const seq = limiter(plain, "bench-seq");
    await seq.take("warm", BIG); // loads the script once
    results.push(
      await measure("redis-sequential", 1, async (i) => (await seq.take(`k${i % 100}`, BIG)).allowed),
    );
    const conc = limiter(plain, "bench-conc");
    results.push(
      await measure(
        `redis-concurrent (${CONCURRENCY})`,
        CONCURRENCY,
        async (i) => (await conc.take(`k${i % 100}`, BIG)).allowed,
      ),
    );
    const pipe = limiter(piped, "bench-pipe");
    await pipe.take("warm", BIG);
    results.push(
      await measure(
        `redis-autopipeline (${CONCURRENCY})`,
        CONCURRENCY,
        async (i) => (await pipe.take(`k${i % 100}`, BIG)).allowed,
      ),
    );
    const leased = limiter(plain, "bench-leased", true);
    results.push(
      await measure("leased, sequential", 1, async (i) => (await leased.take(`k${i % 100}`, BIG)).allowed),
    );
    const leasedConc = limiter(plain, "bench-leased-conc", true);
    results.push(
      await measure(
        `leased, concurrent (${CONCURRENCY})`,
        CONCURRENCY,
        async (i) => (await leasedConc.take(`k${i % 100}`, BIG)).allowed,
      ),
    );
    const deny = limiter(plain, "bench-deny");
    const tight = { perSecond: 0.001, burst: 1 };
    await deny.take("hot", tight);
    await deny.take("hot", tight); // refused by Redis: cached locally from here on
    results.push(
      await measure("local-deny (over limit)", 1, async () => (await deny.take("hot", tight)).allowed),
    );

    const base = results[0]!;
    console.log(`decisions per scenario: ${DECISIONS}`);
    console.log("scenario                          decisions/s   p50 µs   p99 µs   vs baseline");
    for (const r of results) {
      const ratio = r.perSecond / base.perSecond;
      console.log(
        `${r.name.padEnd(32)} ${r.perSecond.toFixed(0).padStart(12)} ${r.p50us.toFixed(1).padStart(8)} ${r.p99us.toFixed(1).padStart(8)}   ${ratio.toFixed(3)}x`,
      );
    }
  } finally {
    plain.disconnect();
    piped.disconnect();
    await redis.stop();
    // test/support/redis.ts may probe a Docker engine through the global agent; its keep-alive sockets would
    // keep this process alive.
    globalAgent.destroy();
  }
}

await main();
