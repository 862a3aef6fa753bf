// The route rate limit stage: route.rateLimit {perSecond, burst, by} enforced across all gateway replicas.
import { RATE_LIMIT_KEYS } from "../../api/index.js";
import type { GatewayRequest, GatewayStage, MatchedRoute } from "../http/gateway-request.js";
import { HttpError } from "../http/http-error.js";
import { createLimiter, type CreateLimiterOptions } from "./limiter-factory.js";
import type { Limiter, TakeBucket } from "./limiter.js";
import { rateLimitProblem, retryAfterSeconds, type RateDecision } from "./rate-limit.js";

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
  return bucketOf(route.rateLimit.by ?? "route", routeBucket(route), request);
}

const routeBucket = (route: MatchedRoute): string =>
  route.routeRef
    ? `route:${route.routeRef.namespace}/${route.routeRef.name}`
    : `fn:${route.function.namespace}/${route.function.name}`;

function bucketOf(by: string, routeId: string, request: GatewayRequest): string | undefined {
  switch (by) {
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

/**
 * A Route's limit, checked once: the route table keeps one rateLimit object per compiled Route, so its check,
 * bucket name and (for a limit by route) prepared bucket are reused by every request of that Route.
 */
interface CheckedLimit {
  /** the route's objects this was made for (another route sharing the limit object gets its own) */
  routeRef: MatchedRoute["routeRef"];
  fn: MatchedRoute["function"];
  /** undefined when the limit is invalid */
  routeId: string | undefined;
  /** the one bucket of a limit by route */
  shared: TakeBucket | undefined;
}

const LIMITED_BY = new Set<string>(RATE_LIMIT_KEYS);

const configurationError = () =>
  new HttpError(500, "RATE_LIMIT_CONFIGURATION_ERROR", "Internal Server Error");

function refuseIfThrottled(decision: RateDecision): void {
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs);
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
  const checked = new WeakMap<object, CheckedLimit>();

  const check = (route: MatchedRoute, limit: NonNullable<MatchedRoute["rateLimit"]>): CheckedLimit => {
    let entry = checked.get(limit);
    if (entry && entry.routeRef === route.routeRef && entry.fn === route.function) return entry;
    // The Route schema rejects a bad limit at apply time; a bad limit must never mean "no limit".
    const by = limit.by ?? "route";
    const valid = !rateLimitProblem(limit, "route.rateLimit") && LIMITED_BY.has(by);
    const routeId = valid ? routeBucket(route) : undefined;
    entry = {
      routeRef: route.routeRef,
      fn: route.function,
      routeId,
      shared:
        routeId !== undefined && by === "route" ? limiter.prepareTake(routeId, limit, "route") : undefined,
    };
    checked.set(limit, entry);
    return entry;
  };

  // Synchronous unless Redis must be asked: a request a lease or the deny cache decides costs no promise.
  return (request) => {
    const route = request.route;
    const limit = route?.rateLimit;
    if (!limit) return;
    const entry = check(route, limit);
    if (entry.routeId === undefined) throw configurationError();
    let bucket = entry.shared;
    if (!bucket) {
      const name = bucketOf(limit.by ?? "route", entry.routeId, request);
      if (name === undefined) throw configurationError();
      bucket = limiter.prepareTake(name, limit, "route");
    }
    const decision = limiter.decide(bucket);
    if (decision instanceof Promise) return decision.then(refuseIfThrottled);
    refuseIfThrottled(decision);
  };
}
