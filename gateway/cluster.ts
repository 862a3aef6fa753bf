// The gateway on every core of its pod: a primary process forks KAPPA_GATEWAY_WORKERS node:cluster workers
// that share the listening ports (the kernel or the primary spreads connections over them). Each worker is a
// full gateway with its own gatewayId: to everything shared (Redis presence, in-flight reports, rate-limit
// leases, reserved-concurrency shares) it is one more replica, which those parts already handle.
// The primary runs no gateway: it restarts a worker that dies, forwards SIGTERM/SIGINT and waits for the
// workers' graceful shutdown, and serves the ops port (metrics summed over workers, health, readiness).
import cluster, { type Worker } from "node:cluster";
import { createServer, type Server } from "node:http";
import { AggregatorRegistry, type Registry } from "prom-client";
import { answerOps } from "./ops-routes.js";
import { gatewayExecArgv, type GatewayV8Options } from "./v8-flags.js";

export interface ClusterLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface GatewayClusterOptions {
  workers: number;
  /** the ops port the primary serves (workers open none); null = none */
  metricsHost: string;
  metricsPort: number | null;
  logger: ClusterLogger;
  /** the workers' V8 flags (v8-flags.ts); unset = as this process */
  v8?: GatewayV8Options;
}

/** Workers tell the primary this once their gateway listens. */
export const WORKER_READY_MESSAGE = "kappa-gateway-ready";
/** The env var that tells a worker its index (and so its gatewayId suffix). */
export const WORKER_INDEX_ENV = "KAPPA_GATEWAY_WORKER_INDEX";
/** A worker that dies this soon after starting is restarted after RESTART_DELAY_MS, not at once (crash loops). */
const QUICK_DEATH_MS = 5_000;
const RESTART_DELAY_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

export function runGatewayPrimary(options: GatewayClusterOptions): void {
  const { logger } = options;
  const ready = new Set<number>();
  const startedAt = new Map<number, number>();
  const indexOf = new Map<Worker, number>();
  let stopping = false;

  if (options.v8 !== undefined)
    cluster.setupPrimary({ execArgv: gatewayExecArgv(process.execArgv, options.v8) });
  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    indexOf.set(worker, index);
    startedAt.set(index, Date.now());
    worker.on("message", (message: unknown) => {
      if (message === WORKER_READY_MESSAGE) ready.add(index);
    });
    // A worker killed abruptly is still listed until its exit is noticed, and a metrics scrape in that window
    // writes to its closed IPC channel: the EPIPE arrives here. Unhandled, it would end the primary and every
    // other worker with it; the scrape fails (500) and the exit handler below restarts the worker.
    worker.on("error", (error: Error) =>
      logger.warn({ worker: index, err: error.message }, "could not reach a gateway worker"),
    );
  };
  cluster.on("exit", (worker, code, signal) => {
    const index = indexOf.get(worker)!;
    indexOf.delete(worker);
    ready.delete(index);
    if (stopping) {
      if (indexOf.size === 0) process.exit(0);
      return;
    }
    const lived = Date.now() - (startedAt.get(index) ?? 0);
    logger.error({ worker: index, code, signal, livedMs: lived }, "gateway worker died; restarting it");
    setTimeout(() => fork(index), lived < QUICK_DEATH_MS ? RESTART_DELAY_MS : 0);
  });
  for (let i = 0; i < options.workers; i++) fork(i);

  const ops =
    options.metricsPort === null ? undefined : serveOps(options, () => ready.size === options.workers);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: indexOf.size }, "stopping gateway workers");
    ops?.close();
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    for (const worker of indexOf.keys()) worker.process.kill(signal);
    if (indexOf.size === 0) process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** /metrics summed over the workers (prom-client's cluster aggregation), /healthz, /readyz (all workers up). */
function serveOps(options: GatewayClusterOptions, allReady: () => boolean): Server {
  const aggregator = new AggregatorRegistry();
  const server = createServer((req, res) =>
    answerOps(req, res, {
      metrics: () => aggregator.clusterMetrics(),
      metricsContentType: aggregator.contentType,
      ready: allReady,
      logger: options.logger,
    }),
  );
  server.listen(options.metricsPort!, options.metricsHost);
  return server;
}

/** In a worker: which worker this is, or undefined outside a cluster. */
export function workerIndex(env: NodeJS.ProcessEnv): number | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(env[WORKER_INDEX_ENV]);
  return Number.isInteger(index) ? index : undefined;
}

/** In a worker: tells the primary this gateway listens, and aggregates `registry` for its /metrics. */
export function announceWorkerReady(registry: Registry): void {
  new AggregatorRegistry(); // registers the worker's answer to the primary's metric requests
  AggregatorRegistry.setRegistries([registry]);
  process.send?.(WORKER_READY_MESSAGE);
}

export const isClusterPrimary = (): boolean => cluster.isPrimary;
