// The route rate limit stage: route.rateLimit {perSecond, burst, by} enforced across all gateway replicas.
import type { GatewayRequest, GatewayStage } from "../http/gateway-request.js";
import { HttpError } from "../http/http-error.js";
import { createLimiter, type CreateLimiterOptions } from "./limiter-factory.js";
import type { Limiter } from "./limiter.js";
import { rateLimitProblem, retryAfterSeconds } from "./rate-limit.js";

export type RateLimitStageOptions = Omit<CreateLimiterOptions, "redis"> & {
  /** a client to build a limiter on, unless `limiter` is given */
  redis?: CreateLimiterOptions["redis"];
  /** share one limiter (and its local refusal cache) with the usage-plan stage */
  limiter?: Limiter;
};

export const tooManyRequests = (retryAfterMs: number): HttpError =>
  new HttpError(429, "THROTTLED", "Too Many Requests", {
    headers: { "retry-after": retryAfterSeconds(retryAfterMs) },
  });

/** Who shares a bucket. An `apiKey` limit on a request without a key falls back to the source IP. */
export function rateLimitBucket(request: GatewayRequest): string | undefined {
  const route = request.route;
  if (!route?.rateLimit) return undefined;
  const routeId = route.routeRef
    ? `route:${route.routeRef.namespace}/${route.routeRef.name}`
    : `fn:${route.function.namespace}/${route.function.name}`;
  switch (route.rateLimit.by ?? "route") {
    case "route":
      return routeId;
    case "apiKey":
      return request.identity.apiKey
        ? `${routeId}|key:${request.identity.apiKey.id}`
        : `${routeId}|ip:${request.sourceIp}`;
    case "sourceIp":
      return `${routeId}|ip:${request.sourceIp}`;
    default:
      return undefined;
  }
}

export function rateLimitStage(options: RateLimitStageOptions): GatewayStage {
  if (!options || typeof options !== "object")
    throw new TypeError("rateLimitStage: options {redis | limiter, clock, logger} are required");
  const limiter =
    options.limiter ??
    (options.redis
      ? createLimiter({ ...options, redis: options.redis })
      : (() => {
          throw new TypeError(
            'rateLimitStage: give option "redis" (an ioredis client) or "limiter" (from createLimiter)',
          );
        })());

  return async (request) => {
    const limit = request.route?.rateLimit;
    if (!limit) return;
    const problem = rateLimitProblem(limit, "route.rateLimit");
    const bucket = rateLimitBucket(request);
    if (problem || !bucket) {
      // The Route schema rejects this at apply time; a bad limit must never mean "no limit".
      throw new HttpError(500, "RATE_LIMIT_CONFIGURATION_ERROR", "Internal Server Error");
    }
    const decision = await limiter.take(bucket, limit, "route");
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs);
  };
}
