// The gateway process's configuration, read once from the environment (the only place env vars are read).
import { availableParallelism, hostname } from "node:os";
import { parseAccessKey } from "./aws/access-keys.js";
import { DEFAULT_SEMI_SPACE_MB, DEFAULT_V8_FLAGS, SEMI_SPACE_FLAG, isSemiSpaceFlag } from "./v8-flags.js";

export interface GatewayConfig {
  redisUrl: string;
  host: string;
  port: number;
  apiPort: number;
  metricsPort: number;
  gatewayId: string;
  region: string;
  lambdaNamespace: string;
  accessKeys: Array<[string, string]>;
  secretLabelSelector?: string;
  accessLog: boolean;
  trustForwardedFor: boolean;
  logLevel: string;
  /** gateway processes in this pod (node:cluster workers; 1 = no cluster) */
  workers: number;
  /** V8's semi-space for the gateway's processes, in MB (v8-flags.ts); 0 = V8's default */
  semiSpaceMb: number;
  /** further V8 flags for the gateway's processes (v8-flags.ts) */
  v8Flags: string[];
}

export class ConfigError extends Error {}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a port from 0 to 65535, got "${value}"`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

function workerCount(env: NodeJS.ProcessEnv): number {
  const value = env.KAPPA_GATEWAY_WORKERS;
  if (value === undefined || value === "") return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new ConfigError(
      `KAPPA_GATEWAY_WORKERS must be a whole number of processes from 1 to 256 (the pod's CPUs), got "${value}"`,
    );
  return n;
}

function semiSpaceMb(env: NodeJS.ProcessEnv): number {
  const value = env.KAPPA_GATEWAY_SEMI_SPACE_MB;
  if (value === undefined || value === "") return DEFAULT_SEMI_SPACE_MB;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1024)
    throw new ConfigError(
      `KAPPA_GATEWAY_SEMI_SPACE_MB must be a whole number of megabytes from 0 (V8's default) to 1024, got "${value}"`,
    );
  return n;
}

/** A V8 flag as a command line takes it: `--name` or `--name=value`, no spaces, no shell syntax. */
const V8_FLAG = /^--[a-z][a-z0-9_-]*(=[\w.,:+-]+)?$/i;

/**
 * V8 flags as KAPPA_GATEWAY_V8_FLAGS takes them (also the A/B bench's variables, named by `variable`): separated by
 * spaces, "none" for none, unset or blank for DEFAULT_V8_FLAGS.
 */
export function parseV8Flags(value: string | undefined, variable = "KAPPA_GATEWAY_V8_FLAGS"): string[] {
  if (value === undefined || value.trim() === "") return [...DEFAULT_V8_FLAGS];
  if (value.trim() === "none") return [];
  const flags = value.trim().split(/\s+/);
  for (const flag of flags) {
    if (!V8_FLAG.test(flag))
      throw new ConfigError(
        `${variable}: "${flag}" is not a V8 flag; give flags as --name or --name=value, separated by ` +
          `spaces (or "none" for V8's own settings), e.g. "${DEFAULT_V8_FLAGS.join(" ")}"`,
      );
    if (isSemiSpaceFlag(flag))
      throw new ConfigError(
        `${variable}: set the semi-space with KAPPA_GATEWAY_SEMI_SPACE_MB, not ${SEMI_SPACE_FLAG}`,
      );
  }
  return flags;
}

export function loadConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const redisUrl = env.KAPPA_REDIS_URL ?? env.REDIS_URL;
  if (!redisUrl) throw new ConfigError("set KAPPA_REDIS_URL (or REDIS_URL), e.g. redis://kappa-redis:6379");
  let accessKeys: Array<[string, string]>;
  try {
    accessKeys = (env.KAPPA_ACCESS_KEYS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(parseAccessKey);
  } catch (error) {
    throw new ConfigError(`KAPPA_ACCESS_KEYS: ${(error as Error).message} (comma-separated ID:SECRET pairs)`);
  }
  return {
    redisUrl,
    host: env.KAPPA_GATEWAY_HOST ?? "0.0.0.0",
    port: port(env, "KAPPA_GATEWAY_PORT", 8080),
    apiPort: port(env, "KAPPA_API_PORT", 8081),
    metricsPort: port(env, "KAPPA_METRICS_PORT", 9090),
    gatewayId: env.KAPPA_GATEWAY_ID ?? env.POD_NAME ?? hostname(),
    region: env.KAPPA_REGION ?? "us-east-1",
    lambdaNamespace: env.KAPPA_LAMBDA_NAMESPACE ?? "default",
    accessKeys,
    secretLabelSelector: env.KAPPA_SECRET_LABEL_SELECTOR || undefined,
    accessLog: flag(env, "KAPPA_ACCESS_LOG", true),
    trustForwardedFor: flag(env, "KAPPA_TRUST_X_FORWARDED_FOR", false),
    logLevel: env.LOG_LEVEL ?? "info",
    workers: workerCount(env),
    semiSpaceMb: semiSpaceMb(env),
    v8Flags: parseV8Flags(env.KAPPA_GATEWAY_V8_FLAGS),
  };
}
