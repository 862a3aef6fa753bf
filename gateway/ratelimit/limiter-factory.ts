// Builds the shared Limiter from options, checking them first (STYLE.md §10).
import {
  checkClock,
  defaultRegistry,
  type Clock,
  type Registry,
  type StageLogger,
  silentLogger,
} from "./deps.js";
import { Limiter } from "./limiter.js";
import type { ScriptClient } from "./lua-script.js";

export interface CreateLimiterOptions {
  /** an ioredis client (or anything with evalsha/eval) */
  redis: ScriptClient;
  clock?: Clock;
  logger?: StageLogger;
  registry?: Registry;
  prefix?: string;
  redisTimeoutMs?: number;
  failOpen?: boolean;
  /** Live gateway replicas (default 1): a lease of headroom takes at most 1/(2 x replicas) of it */
  replicas?: () => number;
}

export function createLimiter(options: CreateLimiterOptions): Limiter {
  const name = "createLimiter";
  const redis = options?.redis;
  if (!redis || typeof redis.evalsha !== "function" || typeof redis.eval !== "function") {
    throw new TypeError(`${name}: option "redis" must be an ioredis client (it needs evalsha and eval)`);
  }
  const prefix = options.prefix ?? "kappa:rl";
  if (typeof prefix !== "string" || prefix.length === 0 || /\s/.test(prefix)) {
    throw new TypeError(
      `${name}: option "prefix" must be a non-empty string without spaces (got ${JSON.stringify(prefix)})`,
    );
  }
  const redisTimeoutMs = options.redisTimeoutMs ?? 1000;
  if (!Number.isFinite(redisTimeoutMs) || redisTimeoutMs <= 0) {
    throw new TypeError(
      `${name}: option "redisTimeoutMs" must be a positive number of milliseconds (got ${redisTimeoutMs})`,
    );
  }
  const failOpen = options.failOpen ?? true;
  if (typeof failOpen !== "boolean") throw new TypeError(`${name}: option "failOpen" must be true or false`);
  const replicas = options.replicas ?? (() => 1);
  if (typeof replicas !== "function")
    throw new TypeError(`${name}: option "replicas" must be a function returning the live gateway count`);
  return new Limiter({
    redis,
    clock: checkClock(name, options.clock),
    logger: options.logger ?? silentLogger,
    registry: options.registry ?? defaultRegistry,
    prefix,
    redisTimeoutMs,
    failOpen,
    replicas,
  });
}
