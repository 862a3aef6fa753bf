// The gateway's rate limiting: one limiter shared by route rate limits and usage-plan throttles, exact across
// replicas because every admission is decided by an atomic Lua script in Redis (lua/) or covered by a
// reservation held there (leases.ts). See docs/security.md.
export { createLimiter, type CreateLimiterOptions } from "./limiter-factory.js";
export {
  Limiter,
  type TakeBucket,
  type UsageBuckets,
  type UsageDecision,
  type UsagePlanLimits,
} from "./limiter.js";
export {
  rateLimitStage,
  rateLimitBucket,
  tooManyRequests,
  type RateLimitStageOptions,
} from "./rate-limit-stage.js";
export { quotaWindow, type QuotaPeriodName, type QuotaWindow } from "./quota-period.js";
export { rateLimitProblem, retryAfterSeconds, type RateLimit, type RateDecision } from "./rate-limit.js";
export { systemClock, silentLogger, type Clock, type StageLogger } from "./deps.js";
