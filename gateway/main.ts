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
import { flagsNotInEffect, refusedFlags, type GatewayV8Options } from "./v8-flags.js";

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

const v8: GatewayV8Options = { semiSpaceMb: config.semiSpaceMb, v8Flags: config.v8Flags };
if (config.workers > 1 && isClusterPrimary()) {
  const refused = refusedFlags(v8);
  if (refused !== undefined) {
    log.fatal(
      { problem: refused },
      "node does not start with the V8 flags of KAPPA_GATEWAY_V8_FLAGS: fix or remove the flag it names",
    );
    process.exit(2);
  }
  runGatewayPrimary({
    workers: config.workers,
    metricsHost: config.host,
    metricsPort: config.metricsPort,
    logger: log,
    v8,
  });
} else {
  const missing =
    config.workers === 1 ? flagsNotInEffect(v8, process.execArgv, process.env.NODE_OPTIONS ?? "") : [];
  if (missing.length > 0) {
    log.warn(
      { missing },
      `one gateway process runs without the V8 flags KAPPA_GATEWAY_SEMI_SPACE_MB and KAPPA_GATEWAY_V8_FLAGS ask ` +
        `for: start it as node ${missing.join(" ")} dist/gateway/main.js`,
    );
  }
  await runGateway(config, workerIndex(process.env));
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
