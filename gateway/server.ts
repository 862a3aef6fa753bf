// startGateway: builds the data plane from its collaborators and opens its ports. Used by gateway/main.ts
// (Kubernetes) and by local mode (`kappa dev`).
//   port     (8080) function routes: /function/<ns>/<name>, /async/function/<ns>/<name>, Route resources
//   apiPort  (8081) the AWS-compatible API: Lambda Invoke here, SQS by the queue part (gateway/aws/api-server.ts)
//   metricsPort     /metrics, /healthz, /readyz — kept off the function port so a Route can own any path and
//                   metrics are not public wherever functions are
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ResourceStore } from "../api/store.js";
import type { QueueEngine } from "../queue/index.js";
import { Activator } from "./activator/activator.js";
import { AsyncInvoker } from "./async/async-invoker.js";
import { AsyncDispatcher } from "./async/dispatcher.js";
import { systemClock, type Clock } from "./clock.js";
import { restoreFastStringPrototype } from "./fast-string-methods.js";
import { FunctionCatalog } from "./functions.js";
import { createFunctionHandler } from "./http/function-handler.js";
import { Http1Server } from "./http1/http1-server.js";
import { AgentPools } from "./invoke/agent-pools.js";
import { InflightReporter } from "./invoke/inflight-reporter.js";
import { InflightTracker } from "./invoke/inflight-tracker.js";
import { InstanceRegistry } from "./invoke/instance-registry.js";
import { Invoker, functionInvoker } from "./invoke/invoker.js";
import { ReservedConcurrency } from "./invoke/reserved-concurrency.js";
import { createLambdaApi, type LambdaApiHandler } from "./lambda/lambda-api.js";
import { answerOps } from "./ops-routes.js";
import { resolveLimits, type GatewayLimits } from "./limits.js";
import { GatewayMetrics } from "./metrics.js";
import { buildPipeline, defaultStages, type PipelineStages, type StageDeps } from "./pipeline.js";
import { Router } from "./routing/router.js";
import { startApiPort, type ApiPortOptions } from "./api-port.js";

export interface GatewayOptions {
  host?: string;
  /** the function port; 0 picks a free one */
  port?: number;
  /** the AWS API port; 0 picks a free one; null = do not open it */
  apiPort?: number | null;
  /** /metrics, /healthz, /readyz; 0 picks a free one; null/undefined = not opened */
  metricsPort?: number | null;
  redis: Redis;
  store: ResourceStore;
  queue?: QueueEngine;
  /** SigV4 credentials of the AWS API port, passed to gateway/aws/api-server.ts */
  accessKeys?: ApiPortOptions["accessKeys"];
  logger: Logger;
  registry: Registry;
  clock?: Clock;
  gatewayId: string;
  limits?: Partial<GatewayLimits>;
  /** namespace a bare Lambda API function name refers to (docs/gateway.md) */
  lambdaNamespace?: string;
  region?: string;
  /** auth stages; when absent they are built from gateway/auth and gateway/ratelimit (pipeline.ts defaultStages) */
  stages?: (deps: StageDeps) => PipelineStages;
}

export interface RunningGateway {
  port: number;
  apiPort?: number;
  metricsPort?: number;
  /** the Lambda Invoke API handler (also mounted on apiPort) */
  lambdaApi: LambdaApiHandler;
  /**
   * For a graceful stop (SIGTERM): /readyz turns 503, the function port stops accepting and closes idle
   * connections, requests in progress finish (up to `timeoutMs`). Call close() afterwards.
   */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  restoreFastStringPrototype();
  const host = options.host ?? "0.0.0.0";
  const clock = options.clock ?? systemClock;
  const limits = resolveLimits(options.limits);
  const { redis, store, logger, gatewayId } = options;

  const metrics = new GatewayMetrics(options.registry);
  const catalog = new FunctionCatalog(store);
  const router = new Router(store, logger);
  const subscriber = redis.duplicate();
  const registry = new InstanceRegistry({ redis, subscriber, logger, clock });
  await registry.start();
  const activator = new Activator({
    registry,
    publisher: redis,
    gatewayId,
    logger,
    clock,
    metrics,
    maxWaitingPerFunction: limits.activatorMaxWaitingPerFunction,
    maxWaitMs: limits.activatorMaxWaitMs,
  });
  const pools = new AgentPools(
    () => new Set(registry.allLoaded().flatMap((f) => [...f.instances.values()].map((i) => i.record.url))),
  );
  const reserved = new ReservedConcurrency();
  const tracker = new InflightTracker(clock);
  const invoker = new Invoker({ registry, activator, pools, reserved, inflight: tracker, clock });
  const reporter = new InflightReporter({
    redis,
    gatewayId,
    tracker,
    activator,
    reserved,
    metrics,
    logger,
    clock,
  });
  reporter.start();

  const asyncInvoker = options.queue ? new AsyncInvoker(options.queue, clock, metrics) : undefined;
  const dispatcher =
    options.queue && limits.asyncDispatcher
      ? new AsyncDispatcher({
          engine: options.queue,
          store,
          catalog,
          invoker,
          asyncQueues: asyncInvoker!.queues,
          metrics,
          logger,
          clock,
          limits,
          region: options.region,
        })
      : undefined;
  dispatcher?.start();

  const stageDeps: StageDeps = {
    invoker: functionInvoker(invoker, catalog),
    redis,
    store,
    clock,
    logger,
    registry: options.registry,
    region: options.region ?? "us-east-1",
    liveGateways: () => reserved.liveGatewayCount,
  };
  const stages = (options.stages ?? defaultStages)(stageDeps);
  const pipeline = buildPipeline(router, catalog, stages);
  const handler = createFunctionHandler({
    pipeline,
    router,
    invoker,
    asyncInvoker,
    metrics,
    logger,
    clock,
    trustForwardedFor: limits.trustForwardedFor,
    accessLog: limits.accessLog,
  });
  const lambdaApi = createLambdaApi({
    catalog,
    invoker,
    asyncInvoker,
    logger,
    defaultNamespace: options.lambdaNamespace ?? "default",
    region: options.region ?? "us-east-1",
  });

  const server = new Http1Server(handler, {
    headersTimeoutMs: limits.headersTimeoutMs,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
  });
  const port = await server.listen(options.port ?? 8080, host);

  let apiPort: number | undefined;
  let closeApi: (() => Promise<void>) | undefined;
  if (options.apiPort !== null) {
    const api = await startApiPort({
      host,
      port: options.apiPort ?? 8081,
      accessKeys: options.accessKeys,
      queue: options.queue,
      lambda: lambdaApi,
      logger,
      registry: options.registry,
    });
    apiPort = api.port;
    closeApi = api.close;
  }

  let draining = false;
  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if (options.metricsPort !== null && options.metricsPort !== undefined) {
    metricsServer = createServer((req, res) =>
      answerOps(req, res, {
        metrics: () => options.registry.metrics(),
        metricsContentType: options.registry.contentType,
        ready: () => !draining,
        logger,
      }),
    );
    metricsPort = await listen(metricsServer, options.metricsPort, host);
  }
  logger.info({ port, apiPort, metricsPort, gatewayId }, "gateway listening");

  return {
    port,
    apiPort,
    metricsPort,
    lambdaApi,
    async drain(timeoutMs) {
      draining = true;
      await server.drain(timeoutMs);
    },
    async close() {
      await server.close();
      await closeApi?.();
      if (metricsServer) await closeServer(metricsServer);
      await dispatcher?.stop();
      activator.close();
      await reporter.stop();
      await registry.stop();
      subscriber.disconnect();
      await pools.close();
      await stages.close?.();
      router.close();
      catalog.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
