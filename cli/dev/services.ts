// The platform's services in local mode, wired exactly as in a cluster but in one process: the queue engine,
// the gateway (function port + the AWS API port with SQS and the Lambda Invoke API), and the controller with the
// local-process instance backend. The order matters: the controller's invoker (queue triggers, schedules) calls
// the AWS API port, so the gateway listens first.
import { Redis } from "ioredis";
import { Registry, collectDefaultMetrics } from "prom-client";
import { HttpInvoker } from "../../controller/invoker/http-invoker.js";
import { LocalProcessBackend } from "../../controller/backends/local-process.js";
import { startController } from "../../controller/controller.js";
import { apiKeyStage, authorizerStage } from "../../gateway/auth/index.js";
import { StaticAccessKeys } from "../../gateway/aws/access-keys.js";
import { createLimiter, rateLimitStage } from "../../gateway/ratelimit/index.js";
import { startAwsApiServer } from "../../gateway/aws/api-server.js";
import { startGateway } from "../../gateway/server.js";
import { createSqsApi } from "../../gateway/sqs/sqs-api.js";
import { QueueEngine } from "../../queue/index.js";
import type { PlatformServices, ServiceContext } from "./local-platform.js";
import { QueueSync } from "./queue-sync.js";

const HOST = "127.0.0.1";

export async function startServices(context: ServiceContext): Promise<PlatformServices> {
  const { store, logger, accessKey, region } = context;
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) {
      try {
        await closeOne();
      } catch (error) {
        logger.warn({ err: error }, "error while closing a local service");
      }
    }
  };
  try {
    const redis = new Redis(context.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
    await redis.ping();
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });

    const queue = new QueueEngine({ redis, registry, logger: logger.child({ component: "queue" }), region });
    const queueSync = new QueueSync(store, queue, logger, (name, message) =>
      logger.error({ queue: name }, message),
    );
    closers.push(() => queueSync.close());
    await queueSync.sync();

    const gateway = await startGateway({
      host: HOST,
      port: context.port,
      apiPort: null, // the full AWS API port (SQS + Lambda) is opened below
      metricsPort: 0,
      redis,
      store,
      queue,
      logger: logger.child({ component: "gateway" }),
      registry,
      gatewayId: `local-${process.pid}`,
      region,
      // API keys + usage plans, authorizers and route rate limits, in the order pipeline.ts runs them; one
      // limiter (one set of Lua scripts and metrics) serves both usage-plan throttles and route limits.
      stages: (deps) => {
        const limiter = createLimiter({
          redis: deps.redis,
          clock: deps.clock,
          logger: deps.logger,
          registry: deps.registry,
        });
        const apiKey = apiKeyStage({ store: deps.store, limiter, clock: deps.clock, logger: deps.logger });
        closers.push(() => apiKey.close());
        return {
          apiKey,
          authorizer: authorizerStage({
            store: deps.store,
            invoker: deps.invoker,
            clock: deps.clock,
            logger: deps.logger,
            registry: deps.registry,
          }),
          rateLimit: rateLimitStage({ limiter, clock: deps.clock, logger: deps.logger }),
        };
      },
    });
    closers.push(() => gateway.close());

    const keys = new StaticAccessKeys([[accessKey.accessKeyId, accessKey.secretAccessKey]]);
    const api = await startAwsApiServer({
      host: HOST,
      port: context.apiPort,
      keys,
      sqs: createSqsApi({ engine: queue, logger: logger.child({ component: "sqs" }) }),
      lambda: gateway.lambdaApi,
      logger: logger.child({ component: "aws-api" }),
    });
    closers.push(() => api.close());
    const httpUrl = `http://${HOST}:${gateway.port}`;
    const apiUrl = `http://${HOST}:${api.port}`;

    const backend = new LocalProcessBackend({
      stateDir: context.stateDir,
      logger: logger.child({ component: "instances" }),
    });
    const controller = await startController({
      store,
      redis,
      backend,
      logger,
      registry,
      queueEngine: queue,
      invoker: new HttpInvoker({
        endpoint: apiUrl,
        accessKeyId: accessKey.accessKeyId,
        secretAccessKey: accessKey.secretAccessKey,
        region,
      }),
      functionUrlBase: httpUrl,
      region,
    });
    closers.push(() => controller.close());

    return {
      httpUrl,
      apiUrl,
      metricsUrl: gateway.metricsPort ? `http://${HOST}:${gateway.metricsPort}/metrics` : undefined,
      idle: () => controller.idle(),
      statusOf: (resource) =>
        controller.status(resource.kind, resource.metadata.namespace, resource.metadata.name),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
