// API keys and usage plans (API Gateway's apiKeyRequired): who is calling, then whether their plan's throttle and
// quota let the request through. Keys are matched by sha256 in constant time (api-key-index.ts).
import type { ResourceStore, UsagePlanSpec } from "../../api/index.js";
import type { GatewayRequest, GatewayStage, MatchedRoute } from "../http/gateway-request.js";
import {
  checkClock,
  defaultRegistry,
  requireOption,
  silentLogger,
  type Registry,
} from "../ratelimit/deps.js";
import {
  createLimiter,
  quotaWindow,
  type Clock,
  type CreateLimiterOptions,
  type Limiter,
  type QuotaWindow,
  type RateLimit,
  type StageLogger,
  type UsageBuckets,
  type UsageDecision,
  type UsagePlanLimits,
} from "../ratelimit/index.js";
import { OutcomeCounts } from "../ratelimit/batched-counter.js";
import { ApiKeyIndex, type IndexedApiKey } from "./api-key-index.js";
import { forbidden, quotaExceeded, throttled } from "./errors.js";
import { authMetrics } from "./metrics.js";

/** Where the key comes from: the x-api-key header, or the usageIdentifierKey a function authorizer returned. */
export type ApiKeySource = "HEADER" | "AUTHORIZER";

export interface ApiKeyStageOptions {
  store: ResourceStore;
  /** an ioredis client for usage-plan state, unless `limiter` is given */
  redis?: CreateLimiterOptions["redis"];
  limiter?: Limiter;
  clock?: Clock;
  logger?: StageLogger;
  registry?: Registry;
  /** for the limiter built here (see createLimiter): key prefix, Redis timeout, fail open or closed */
  prefix?: string;
  redisTimeoutMs?: number;
  failOpen?: boolean;
  /** default source for routes that do not name one (route.auth.apiKeySource); default HEADER */
  apiKeySource?: ApiKeySource;
}

export const API_KEY_HEADER = "x-api-key";

export type ApiKeyStage = GatewayStage & { close(): void };

export function apiKeyStage(options: ApiKeyStageOptions): ApiKeyStage {
  const name = "apiKeyStage";
  const store = requireOption(
    name,
    "store",
    options?.store,
    "the ResourceStore holding ApiKey, UsagePlan and Secret",
  );
  if (typeof store.list !== "function" || typeof store.onChange !== "function") {
    throw new TypeError(`${name}: option "store" must be a ResourceStore (list, get, onChange)`);
  }
  const defaultSource = options.apiKeySource ?? "HEADER";
  if (defaultSource !== "HEADER" && defaultSource !== "AUTHORIZER") {
    throw new TypeError(
      `${name}: option "apiKeySource" must be "HEADER" or "AUTHORIZER" (got ${String(defaultSource)})`,
    );
  }
  const clock = checkClock(name, options.clock);
  const logger = options.logger ?? silentLogger;
  const registry = options.registry ?? defaultRegistry;
  const limiter =
    options.limiter ??
    createLimiter({
      redis: requireOption(name, "redis", options.redis, 'an ioredis client, or pass "limiter"'),
      clock,
      logger,
      registry,
      prefix: options.prefix,
      redisTimeoutMs: options.redisTimeoutMs,
      failOpen: options.failOpen,
    });
  const index = new ApiKeyIndex(store, logger);
  const metrics = authMetrics(registry);
  // One counter child per outcome, so a decision does not hash its labels (this runs on every keyed request).
  const decisions = new OutcomeCounts((outcome) => metrics.apiKeyDecisionChild({ outcome }));

  const deny = (reason: string, request: GatewayRequest) => {
    decisions.count(reason);
    logger.debug({ requestId: request.id, reason }, "API key refused");
    return forbidden();
  };

  // Per key (an index entry, replaced whenever a key, Secret or plan changes): the plan's prepared buckets for
  // the current quota period, so a request builds no key strings and computes no period.
  const prepared = new WeakMap<IndexedApiKey, PreparedKey>();
  const bucketsFor = (key: IndexedApiKey, plan: UsagePlanSpec, route: MatchedRoute, method: string) => {
    let entry = prepared.get(key);
    // Without a quota nothing prepared depends on the time: no clock read per request.
    if (!entry || entry.plan !== plan || (entry.window && outside(entry.window, clock.now()))) {
      entry = {
        plan,
        window: plan.quota ? quotaWindow(plan.quota.period, clock.now()) : undefined,
        plain: undefined,
        byOverride: undefined,
      };
      prepared.set(key, entry);
    }
    const override = routeOverride(plan, route, method);
    let buckets = override ? entry.byOverride?.get(override) : entry.plain;
    if (!buckets) {
      buckets = prepareBuckets(limiter, key, plan, override, route, entry.window);
      if (override) (entry.byOverride ??= new Map()).set(override, buckets);
      else entry.plain = buckets;
    }
    return buckets;
  };

  const decided = (decision: UsageDecision) => {
    decisions.count(decision.outcome);
    if (decision.outcome === "throttled") throw throttled(decision.retryAfterMs);
    if (decision.outcome === "quota") throw quotaExceeded(decision.retryAfterMs);
  };

  // Synchronous unless Redis must be asked: a key admitted by a lease (or refused from cache) costs no promise.
  const stage = (request: GatewayRequest): Promise<void> | undefined => {
    const route = request.route;
    if (!route?.auth?.apiKeyRequired) return;
    const source = (route.auth as { apiKeySource?: ApiKeySource }).apiKeySource ?? defaultSource;
    const presented =
      source === "AUTHORIZER" ? request.identity.authorizer?.usageIdentifierKey : headerKey(request);
    if (!presented) throw deny("missing", request);
    const key = index.lookup(presented, request.connection);
    if (!key) throw deny("unknown", request);
    if (!key.enabled) throw deny("disabled", request);
    // A key belongs to its namespace: it opens that namespace's routes only.
    if (key.namespace !== routeNamespace(route)) throw deny("other_namespace", request);

    let plan: UsagePlanSpec | undefined;
    if (key.usagePlan) {
      plan = index.planOf(key);
      if (!plan) {
        logger.warn(
          { apiKey: key.id, usagePlan: key.usagePlan },
          "ApiKey names a UsagePlan that does not exist; refusing it",
        );
        throw deny("missing_plan", request);
      }
    }
    request.identity.apiKey = {
      id: key.id,
      name: key.name,
      namespace: key.namespace,
      usagePlan: key.usagePlan,
    };
    if (!plan || (!plan.throttle && !plan.quota && !plan.routeThrottles?.length)) {
      decisions.count("admitted");
      return;
    }
    const decision = limiter.decideUsage(bucketsFor(key, plan, route, request.method));
    if (decision instanceof Promise) return decision.then(decided);
    decided(decision);
  };
  return Object.assign(stage, { close: () => index.close() });
}

/** What is prepared for one key under one plan version and quota period. */
interface PreparedKey {
  plan: UsagePlanSpec;
  window: QuotaWindow | undefined;
  /** the buckets without a per-route throttle override */
  plain: UsageBuckets | undefined;
  byOverride: Map<RouteThrottle, UsageBuckets> | undefined;
}

const outside = (window: QuotaWindow, now: number) => now >= window.end || now < window.start;

type RouteThrottle = NonNullable<UsagePlanSpec["routeThrottles"]>[number];

function prepareBuckets(
  limiter: Limiter,
  key: IndexedApiKey,
  plan: UsagePlanSpec,
  override: RouteThrottle | undefined,
  route: MatchedRoute,
  window: QuotaWindow | undefined,
): UsageBuckets {
  const { throttle, overrideRoute } = throttleOf(plan, override, route);
  const limits: UsagePlanLimits = { throttle };
  if (plan.quota && window) {
    limits.quota = {
      limit: plan.quota.limit,
      offset: plan.quota.offset ?? 0,
      periodStart: window.start,
      periodEnd: window.end,
    };
  }
  const subject = `${key.namespace}/${key.usagePlan}|${key.id}`;
  return limiter.prepareUsage(
    { throttle: overrideRoute ? `${subject}|route:${overrideRoute}` : subject, quota: subject },
    limits,
  );
}

function headerKey(request: GatewayRequest): string | undefined {
  const value = request.headers[API_KEY_HEADER];
  // Two x-api-key headers are ambiguous: refuse rather than guess which one counts.
  if (Array.isArray(value)) return undefined;
  return value || undefined;
}

export function routeNamespace(route: MatchedRoute): string {
  return route.routeRef?.namespace ?? route.function.namespace;
}

/** The plan's throttle, or its per-route override for this Route and method (own bucket per route). */
export function planThrottle(
  plan: UsagePlanSpec,
  route: MatchedRoute,
  method: string,
): { throttle?: RateLimit; overrideRoute?: string } {
  return throttleOf(plan, routeOverride(plan, route, method), route);
}

function routeOverride(plan: UsagePlanSpec, route: MatchedRoute, method: string): RouteThrottle | undefined {
  if (!plan.routeThrottles?.length) return undefined;
  return plan.routeThrottles.find(
    (entry) =>
      entry.route === route.routeRef?.name &&
      (!entry.methods?.length || entry.methods.some((m) => m === "ANY" || m === method.toUpperCase())),
  );
}

function throttleOf(
  plan: UsagePlanSpec,
  override: RouteThrottle | undefined,
  route: MatchedRoute,
): { throttle?: RateLimit; overrideRoute?: string } {
  const chosen = override?.throttle ?? plan.throttle;
  const throttle = chosen ? { perSecond: chosen.rateLimit, burst: chosen.burstLimit } : undefined;
  return { throttle, overrideRoute: override ? route.routeRef?.name : undefined };
}
