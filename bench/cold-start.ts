// Cold start: from the demand signal a gateway sends for a function at zero to its first instance in the Redis
// registry, with a warm pool (specialize a running generic agent) against the baseline without one (start a new
// agent process). Real Redis, the real runtime agent, the controller as local mode runs it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { MemoryResourceStore } from "../api/store.js";
import { RedisKeys } from "../api/instances.js";
import { startController } from "../controller/controller.js";
import { LocalProcessBackend } from "../controller/backends/local-process.js";
import type { PoolDefault } from "../controller/pools/warm-pools.js";
import { startRedisServer } from "../test/integration/controller/support.js";

/** Each cold start is ~0.1-3 s; 5 rounds per mode keep the whole run well under a minute. */
const ROUNDS = Number(process.argv[2] ?? 5);
const logger = pino({ level: "silent" });

async function measure(redisUrl: string, pools: PoolDefault[], label: string): Promise<number[]> {
  const redis = new Redis(redisUrl);
  const stateDir = mkdtempSync(join(tmpdir(), "kappa-bench-"));
  const store = new MemoryResourceStore();
  const backend = new LocalProcessBackend({ stateDir, logger });
  const controller = await startController({
    store,
    redis,
    backend,
    logger,
    registry: new Registry(),
    warmPools: pools,
    autoscaler: { tickMs: 200 },
  });
  const times: number[] = [];
  const poolSize = pools.reduce((n, p) => n + p.size, 0);
  // Every round starts from the same state: the pool refilled and its agent past its own start-up (prewarm), as a
  // pool instance that waited for work would be. Without a pool this is the same 1 s pause between rounds.
  const settledPool = async () => {
    while (backend.list().filter((i) => !i.owner && i.phase === "started").length < poolSize) await sleep(20);
    await sleep(1_000);
  };
  try {
    await settledPool();
    for (let round = 0; round < ROUNDS; round++) {
      const name = `cold-${label}-${round}`;
      store.upsert({
        apiVersion: "kappa.dev/v1alpha1",
        kind: "Function",
        metadata: { namespace: "bench", name, generation: 1 },
        spec: {
          runtime: "nodejs20",
          handler: "index.handler",
          code: { inline: { "index.js": "exports.handler = async () => ({ ok: true });" } },
          scaling: { minInstances: 0, maxInstances: 1, idleSeconds: 600 },
        },
      });
      await controller.idle();
      const started = performance.now();
      await redis.publish(
        RedisKeys.demandChannel,
        JSON.stringify({ namespace: "bench", name, waiting: 1, gatewayId: "bench" }),
      );
      while ((await redis.hlen(RedisKeys.instances("bench", name))) === 0) await sleep(2);
      times.push(performance.now() - started);
      store.delete("Function", "bench", name);
      await settledPool();
    }
  } finally {
    await controller.close();
    redis.disconnect();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return times;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(", ");

const server = await startRedisServer();
try {
  const baseline = await measure(server.url, [], "new");
  const pooled = await measure(server.url, [{ runtime: "nodejs20", size: 1, memoryMiB: 10240 }], "pool");
  console.log(`cold start, demand -> ready in registry (${ROUNDS} rounds each, ms)`);
  console.log(
    `  without pool (new agent process): median ${median(baseline).toFixed(0)} ms  [${fmt(baseline)}]`,
  );
  console.log(
    `  with warm pool (specialize):       median ${median(pooled).toFixed(0)} ms  [${fmt(pooled)}]`,
  );
  console.log(
    `  ratio: warm pool is ${(median(baseline) / median(pooled)).toFixed(1)}x faster than the baseline`,
  );
} finally {
  await server.stop();
}
