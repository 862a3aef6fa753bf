// Shared setup for the controller's integration tests: a real Redis, the real runtime agent as local processes,
// a MemoryResourceStore the test feeds like local mode does, and helpers that wait on real state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { MemoryResourceStore, type StoredResource } from "../../../api/store.js";
import { RedisKeys, type InflightReport, type InstanceRecord } from "../../../api/instances.js";
import { startController, type Controller, type ControllerOptions } from "../../../controller/controller.js";
import { LocalProcessBackend } from "../../../controller/backends/local-process.js";
import { startRedisProcess } from "../../support/redis.js";

export const logger = pino({ level: process.env.KAPPA_TEST_LOG ?? "silent" });

export interface Harness {
  redis: Redis;
  store: MemoryResourceStore;
  backend: LocalProcessBackend;
  controller: Controller;
  stateDir: string;
  namespace: string;
  close(): Promise<void>;
}

interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

// A private redis-server process per test file (test/support/redis.ts's binary path, not its container path: the
// controller tests start many agent processes and need no Docker engine).
let shared: Promise<TestRedis> | undefined;
export function testRedis(): Promise<TestRedis> {
  shared ??= startRedisServer();
  return shared;
}
export async function stopTestRedis(): Promise<void> {
  const server = await shared;
  shared = undefined;
  await server?.stop();
}

export function startRedisServer(): Promise<TestRedis> {
  return startRedisProcess();
}

let counter = 0;
export async function startHarness(options: Partial<ControllerOptions> = {}): Promise<Harness> {
  const server = await testRedis();
  const redis = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const stateDir = mkdtempSync(join(tmpdir(), "kappa-ctl-"));
  const store = new MemoryResourceStore();
  const backend = new LocalProcessBackend({ stateDir, logger });
  const controller = await startController({
    store,
    redis,
    backend,
    logger,
    registry: new Registry(),
    warmPools: [],
    autoscaler: { tickMs: 100 },
    ...options,
  });
  // Every test uses its own namespace, so tests sharing one Redis never see each other's keys.
  const namespace = `t${process.pid}-${++counter}`;
  return {
    redis,
    store,
    backend,
    controller,
    stateDir,
    namespace,
    async close() {
      await controller.close();
      redis.disconnect();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export function fn(
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
  generation = 1,
): StoredResource {
  return {
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Function",
    metadata: { namespace, name, generation },
    spec: {
      runtime: "nodejs20",
      handler: "index.handler",
      code: {
        inline: {
          "index.js":
            "exports.handler = async (event) => ({ ok: true, pid: process.pid, event, v: process.env.V ?? null });",
        },
      },
      scaling: { minInstances: 0, maxInstances: 5, idleSeconds: 300 },
      ...spec,
    },
  };
}

export async function registry(redis: Redis, namespace: string, name: string): Promise<InstanceRecord[]> {
  const hash = await redis.hgetall(RedisKeys.instances(namespace, name));
  return Object.values(hash).map((v) => JSON.parse(v) as InstanceRecord);
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function demand(redis: Redis, namespace: string, name: string, waiting = 1): Promise<void> {
  await redis.publish(
    RedisKeys.demandChannel,
    JSON.stringify({ namespace, name, waiting, gatewayId: "test-gw" }),
  );
}

/** Writes an in-flight report as a gateway would (api/instances.ts). */
export async function report(
  redis: Redis,
  namespace: string,
  name: string,
  inflight: Partial<InflightReport>,
): Promise<void> {
  const value: InflightReport = { average: 0, max: 0, requests: 0, waiting: 0, at: Date.now(), ...inflight };
  await redis.hset(RedisKeys.inflight(namespace, name), "test-gw", JSON.stringify(value));
}

export async function invokeAgent(url: string, event: unknown): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL("/invoke", url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-kappa-request-id": `req-${Date.now()}` },
    body: JSON.stringify(event),
  });
  return { status: response.status, body: await response.text() };
}
