// THE request pipeline of the gateway's HTTP port, in order. Each step may reject by throwing an HttpError.
//
//   1. route        which function and Route this request is for (404 / 400 before any other work; also the
//                   function must exist, so auth never runs for a name nobody deployed)
//   2. authorizer   Lambda (REQUEST) or JWT authorizer, results cached. Before the API key, as API Gateway
//                   evaluates them: with apiKeySource AUTHORIZER the key IS the authorizer's usageIdentifierKey
//   3. API key      x-api-key (or the authorizer's key) + usage plan throttle and quota
//   4. rate limit   the Route's own limit, keyed by route, API key or source IP: needs the identity from 2-3
//   5. invoke       done by the caller (http/function-handler.ts) with the body read only now, so rejected
//                   requests never cost a body read, an event build or an instance slot
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ResourceStore } from "../api/store.js";
import { apiKeyStage, authorizerStage } from "./auth/index.js";
import { forbidden } from "./auth/errors.js";
import type { Clock } from "./clock.js";
import type { FunctionInvoker, GatewayRequest, GatewayStage } from "./http/gateway-request.js";
import { createLimiter, rateLimitStage } from "./ratelimit/index.js";
import { HttpError } from "./http/http-error.js";
import type { FunctionCatalog, FunctionSettings } from "./functions.js";
import { notFound, type ResolvedRoute, type Router } from "./routing/router.js";

export interface PipelineResult extends ResolvedRoute {
  fn: FunctionSettings;
}

export interface Pipeline {
  /**
   * The result, or a promise of it when a stage had to wait (Redis, an authorizer). Stages that decide from
   * local state return synchronously, and so does run: no promise or microtask per request on that path.
   */
  run(request: GatewayRequest): PipelineResult | Promise<PipelineResult>;
}

export interface PipelineStages {
  apiKey?: GatewayStage;
  authorizer?: GatewayStage;
  rateLimit?: GatewayStage;
  /** releases what the stages hold (store subscriptions, caches, rate-limit leases) */
  close?: () => void | Promise<void>;
}

export interface StageDeps {
  invoker: FunctionInvoker;
  redis: Redis;
  store: ResourceStore;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  region: string;
  /** live gateway replicas (the presence heartbeat), for the size of rate-limit leases */
  liveGateways?: () => number;
}

/** The auth engineer's stages (gateway/auth, gateway/ratelimit), sharing one Redis limiter. */
export function defaultStages(deps: StageDeps): PipelineStages {
  const { invoker, redis, store, clock, logger, registry } = deps;
  const limiter = createLimiter({ redis, clock, logger, registry, replicas: deps.liveGateways });
  const authorizer = authorizerStage({
    store,
    invoker,
    clock,
    logger,
    registry,
    arn: { region: deps.region, accountId: "000000000000" },
  });
  const apiKey = apiKeyStage({ store, limiter, clock, logger, registry });
  const rateLimit = rateLimitStage({ limiter, clock, logger });
  return {
    authorizer,
    apiKey,
    rateLimit,
    async close() {
      authorizer.close();
      apiKey.close();
      await limiter.close();
    },
  };
}

export function buildPipeline(router: Router, catalog: FunctionCatalog, stages: PipelineStages): Pipeline {
  const chain = [stages.authorizer, stages.apiKey, stages.rateLimit].filter(
    (s): s is GatewayStage => s !== undefined,
  );
  /** The stages from `from` on, once stage `from - 1` had to wait. */
  async function finish(
    request: GatewayRequest,
    waiting: Promise<void>,
    from: number,
    result: PipelineResult,
  ): Promise<PipelineResult> {
    await waiting;
    for (let i = from; i < chain.length; i++) await chain[i]!(request);
    return result;
  }

  return {
    run(request) {
      const resolved = router.resolve(request.method, request.host, request.rawPath);
      const target = resolved.route.function;
      const fn = catalog.get(target.namespace, target.name);
      if (!fn) {
        // A Route pointing at a function that does not exist is the operator's mistake, not the caller's.
        if (resolved.route.routeRef) throw new HttpError(500, "InternalServerError", "Internal Server Error");
        throw notFound();
      }
      request.route = resolved.route;
      // A function behind a Route's API key, authorizer or rate limit is not also open at /function/...:
      // that path would go around them. It answers as a missing API key does.
      if (!resolved.route.routeRef && router.guardsFunction(fn.key)) throw forbidden("FUNCTION_PATH_CLOSED");
      const result: PipelineResult = {
        route: resolved.route,
        cors: resolved.cors,
        async: resolved.async,
        fn,
      };
      for (let i = 0; i < chain.length; i++) {
        const waiting = chain[i]!(request);
        if (waiting !== undefined) return finish(request, waiting, i + 1, result);
      }
      return result;
    },
  };
}
