// A rate limit's parameters and the checks they must pass, shared by route limits and usage-plan throttles.

export interface RateLimit {
  /** steady requests per second (may be fractional: 0.5 = one every 2 s) */
  perSecond: number;
  /** requests a full bucket admits at once */
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** when denied: milliseconds until one request would be admitted */
  retryAfterMs: number;
  /** requests that could be admitted right now after this decision */
  remaining: number;
}

// Same bounds as the Route and UsagePlan schemas in api/; repeated here so a limit built in code fails as clearly.
const MAX_RATE = 1_000_000;

/** Returns a message naming the field and the fix, or undefined when the limit is valid. */
export function rateLimitProblem(limit: Partial<RateLimit> | undefined, field: string): string | undefined {
  if (!limit || typeof limit !== "object") return `${field} must be an object {perSecond, burst}`;
  const { perSecond, burst } = limit;
  if (
    typeof perSecond !== "number" ||
    !Number.isFinite(perSecond) ||
    perSecond <= 0 ||
    perSecond > MAX_RATE
  ) {
    return `${field}.perSecond must be a number greater than 0 and at most ${MAX_RATE} (got ${String(perSecond)})`;
  }
  if (typeof burst !== "number" || !Number.isInteger(burst) || burst < 1 || burst > MAX_RATE) {
    return `${field}.burst must be an integer between 1 and ${MAX_RATE} (got ${String(burst)})`;
  }
  return undefined;
}

/** GCRA's emission interval: microseconds between two requests at the steady rate. */
export const emissionIntervalUs = (perSecond: number): number =>
  Math.max(1, Math.round(1_000_000 / perSecond));

/** Retry-After is whole seconds (RFC 9110); never 0, so a client that obeys it does not spin. */
export const retryAfterSeconds = (ms: number): string => String(Math.max(1, Math.ceil(ms / 1000)));
