// The gateway's tunable bounds, each with the reason for its default.
export interface GatewayLimits {
  /** a client must finish sending its headers within this (slowloris) */
  headersTimeoutMs: number;
  /** ...and its body within this, once the headers are in */
  bodyTimeoutMs: number;
  /** idle keep-alive connections are closed after this; above common load balancers' 60 s so they close first */
  keepAliveTimeoutMs: number;
  /** the longest the activator holds a request for an instance (each request's own timeout bounds it too) */
  activatorMaxWaitMs: number;
  /** requests held per function before new ones get 503: bounds the memory a burst at a cold function takes */
  activatorMaxWaitingPerFunction: number;
  /** read the client address from X-Forwarded-For (only behind a trusted proxy) */
  trustForwardedFor: boolean;
  /** one JSON log line per request */
  accessLog: boolean;
  /** seconds before each retry of a failed Event invocation; Lambda waits 1 min, then 2 min */
  asyncRetryDelaysSeconds: number[];
  /** Event invocations one gateway runs at once per function */
  asyncConcurrencyPerFunction: number;
  /** run the async dispatcher in this process */
  asyncDispatcher: boolean;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  // Cold starts from a warm pool take well under a second; from an image, several. 60 s covers a slow node.
  activatorMaxWaitMs: 60_000,
  activatorMaxWaitingPerFunction: 1_000,
  trustForwardedFor: false,
  accessLog: true,
  asyncRetryDelaysSeconds: [60, 120],
  asyncConcurrencyPerFunction: 10,
  asyncDispatcher: true,
};

/** Merges overrides and rejects values that cannot work, naming the field. */
export function resolveLimits(overrides: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  const positive: Array<keyof GatewayLimits> = [
    "headersTimeoutMs",
    "bodyTimeoutMs",
    "keepAliveTimeoutMs",
    "activatorMaxWaitMs",
    "activatorMaxWaitingPerFunction",
    "asyncConcurrencyPerFunction",
  ];
  for (const field of positive) {
    const value = limits[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`gateway limits.${field} must be a positive number, got ${JSON.stringify(value)}`);
    }
  }
  if (!limits.asyncRetryDelaysSeconds.every((s) => Number.isInteger(s) && s >= 0 && s <= 900)) {
    throw new TypeError(
      "gateway limits.asyncRetryDelaysSeconds must be whole seconds from 0 to 900 (SQS's longest delay)",
    );
  }
  return limits;
}
