// Entry point of the gateway in Kubernetes: configuration from the environment, resources from informers,
// then startGateway (gateway/server.ts). With KAPPA_GATEWAY_WORKERS > 1 (default: the CPUs) this process is
// a node:cluster primary (gateway/cluster.ts) and each worker runs this file as one gateway replica.
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry, collectDefaultMetrics } from "prom-client";
import { QueueEngine } from "../queue/index.js";
import { StaticAccessKeys } from "./aws/access-keys.js";
import { announceWorkerReady, isClusterPrimary, runGatewayPrimary, workerIndex } from "./cluster.js";
import { ConfigError, loadConfig, type GatewayConfig } from "./config.js";
import { startInformerStore } from "./kube/informer-store.js";
import { startGateway } from "./server.js";
import { SEMI_SPACE_FLAG, isSemiSpaceFlag } from "./young-generation.js";

/** How long a stopping gateway lets requests in flight finish: inside Kubernetes' default 30 s grace period. */
const DRAIN_MS = 25_000;
const log = pino({ base: { component: "gateway" }, level: process.env.LOG_LEVEL ?? "info" });

let config: GatewayConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  log.fatal({ problem: error.message }, "bad configuration");
  process.exit(2);
}

if (config.workers > 1 && isClusterPrimary()) {
  runGatewayPrimary({
    workers: config.workers,
    metricsHost: config.host,
    metricsPort: config.metricsPort,
    logger: log,
    semiSpaceMb: config.semiSpaceMb,
  });
} else {
  if (config.workers === 1 && !semiSpaceInEffect(config.semiSpaceMb)) {
    log.warn(
      { semiSpaceMb: config.semiSpaceMb },
      `one gateway process runs with Node's own flags: start it as node ${SEMI_SPACE_FLAG}=${config.semiSpaceMb} ` +
        "(or in NODE_OPTIONS) for the young generation KAPPA_GATEWAY_SEMI_SPACE_MB asks for",
    );
  }
  await runGateway(config, workerIndex(process.env));
}

/** Whether nothing is asked of V8's semi-space, or this process was started with a semi-space flag of its own. */
function semiSpaceInEffect(semiSpaceMb: number): boolean {
  if (semiSpaceMb === 0) return true;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return flags.some(isSemiSpaceFlag);
}

async function runGateway(config: GatewayConfig, worker: number | undefined): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new QueueEngine({ redis, logger: log, registry, region: config.region });
  const { store, stop: stopInformers } = await startInformerStore({
    logger: log,
    secretLabelSelector: config.secretLabelSelector,
  });
  const gateway = await startGateway({
    host: config.host,
    port: config.port,
    apiPort: config.apiPort,
    // Workers' metrics are summed and served by the primary.
    metricsPort: worker === undefined ? config.metricsPort : null,
    redis,
    store,
    queue,
    accessKeys: new StaticAccessKeys(config.accessKeys),
    logger: log,
    registry,
    // A worker is one more replica to everything shared through Redis, so it needs its own id.
    gatewayId: worker === undefined ? config.gatewayId : `${config.gatewayId}-${worker}`,
    region: config.region,
    lambdaNamespace: config.lambdaNamespace,
    limits: { accessLog: config.accessLog, trustForwardedFor: config.trustForwardedFor },
  });
  if (worker !== undefined) announceWorkerReady(registry);

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => process.exit(1), 30_000).unref();
    // Requests in flight finish (Kubernetes' default grace period is 30 s); new ones go to other replicas.
    await gateway.drain(DRAIN_MS);
    await gateway.close();
    stopInformers();
    await queue.close();
    redis.disconnect();
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
