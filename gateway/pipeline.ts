// THE request pipeline of the gateway's HTTP port, in order. Each step may reject by throwing an HttpError.
//
//   1. route        which function and Route this request is for (404 / 400 before any other work; also the
//                   function must exist, so auth never runs for a name nobody deployed)
//   2. API key      x-api-key + usage plan throttle/quota: cheapest identity check, and it must run before the
//                   authorizer so a REQUEST authorizer's usageIdentifierKey can still be checked by the plan
//   3. authorizer   Lambda (REQUEST) or JWT authorizer, cached: may invoke a function, so after the key check
//   4. rate limit   the Route's own limit, keyed by route, API key or source IP: needs the identity from 2-3
//   5. invoke       done by the caller (http/function-handler.ts) with the body read only now, so rejected
//                   requests never cost a body read, an event build or an instance slot
import type { GatewayRequest, GatewayStage } from "./http/gateway-request.js";
import { HttpError } from "./http/http-error.js";
import type { FunctionCatalog, FunctionSettings } from "./functions.js";
import { notFound, type ResolvedRoute, type Router } from "./routing/router.js";

export interface PipelineResult extends ResolvedRoute {
  fn: FunctionSettings;
}

export interface Pipeline {
  run(request: GatewayRequest): Promise<PipelineResult>;
}

export interface PipelineStages {
  apiKey?: GatewayStage;
  authorizer?: GatewayStage;
  rateLimit?: GatewayStage;
}

export function buildPipeline(router: Router, catalog: FunctionCatalog, stages: PipelineStages): Pipeline {
  const chain = [stages.apiKey, stages.authorizer, stages.rateLimit].filter(
    (s): s is GatewayStage => s !== undefined,
  );
  return {
    async run(request) {
      const resolved = router.resolve(request.method, request.host, request.rawPath);
      const target = resolved.route.function;
      const fn = catalog.get(target.namespace, target.name);
      if (!fn) {
        // A Route pointing at a function that does not exist is the operator's mistake, not the caller's.
        if (resolved.route.routeRef) throw new HttpError(500, "InternalServerError", "Internal Server Error");
        throw notFound();
      }
      request.route = resolved.route;
      for (const stage of chain) await stage(request);
      return { ...resolved, fn };
    },
  };
}
