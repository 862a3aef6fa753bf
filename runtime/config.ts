// The agent's configuration, read once from the environment (the only place env vars are read).
import { randomBytes } from "node:crypto";
import { AGENT_DEFAULT_PORT } from "../api/agent.js";
import { RUNTIMES, parseSpecializeRequest, type FunctionSpec } from "./specialize-request.js";

export type RuntimeName = (typeof RUNTIMES)[number];

export interface AgentConfig {
  port: number;
  host: string;
  /** the generic runtime this instance can specialize into; undefined = any */
  runtime?: RuntimeName;
  /** start already specialized with this function (the non-pool path) */
  function?: FunctionSpec;
  /** where code.files are written; undefined = a fresh temporary directory */
  taskRoot?: string;
  region: string;
  accountId: string;
  instanceId: string;
  /** node binary per Node runtime; nodejs22 is only available when a Node 22 binary is configured */
  nodeBinaries: Partial<Record<"nodejs20" | "nodejs22", string>>;
  pythonBinary: string;
  /** for `provided`: the command to start instead of <task root>/bootstrap (a Lambda container image's entrypoint) */
  bootstrapCommand?: string[];
  initTimeoutMs: number;
  /** start the built-in handler host before any function is known, so specialization skips the process spawn */
  prewarm: boolean;
  /** Node functions: "in-process" = the host worker serves the agent API and runs the handler (the fast path);
   * "runtime-api" = a handler process behind the agent's Runtime API, as for the other runtimes */
  nodeHost: "in-process" | "runtime-api";
}

export class ConfigError extends Error {}

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(
      `${name} must be a port number from 0 to 65535 (0 = pick a free one), got "${value}"`,
    );
  }
  return n;
}

function nodeMajor(version: string): number {
  return Number(version.replace(/^v/, "").split(".")[0]);
}

export function loadConfig(
  env: NodeJS.ProcessEnv,
  nodeVersion = process.version,
  execPath = process.execPath,
): AgentConfig {
  let runtime: RuntimeName | undefined;
  if (env.KAPPA_RUNTIME) {
    if (!(RUNTIMES as readonly string[]).includes(env.KAPPA_RUNTIME)) {
      throw new ConfigError(
        `KAPPA_RUNTIME must be one of ${RUNTIMES.join(", ")}, got "${env.KAPPA_RUNTIME}"`,
      );
    }
    runtime = env.KAPPA_RUNTIME as RuntimeName;
  }
  let fn: FunctionSpec | undefined;
  if (env.KAPPA_FUNCTION) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.KAPPA_FUNCTION);
    } catch {
      throw new ConfigError("KAPPA_FUNCTION must be a JSON SpecializeRequest (see api/agent.ts)");
    }
    const result = parseSpecializeRequest(parsed);
    if (!result.ok) throw new ConfigError(`KAPPA_FUNCTION: ${result.message}`);
    fn = result.spec;
  }
  let bootstrapCommand: string[] | undefined;
  if (env.KAPPA_BOOTSTRAP) {
    try {
      const parsed: unknown = JSON.parse(env.KAPPA_BOOTSTRAP);
      if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === "string"))
        throw 0;
      bootstrapCommand = parsed as string[];
    } catch {
      throw new ConfigError(
        'KAPPA_BOOTSTRAP must be a JSON array of strings, e.g. ["/lambda-entrypoint.sh","app.handler"]',
      );
    }
  }
  const initSeconds = Number(env.KAPPA_INIT_TIMEOUT_SECONDS ?? "10");
  if (!Number.isFinite(initSeconds) || initSeconds <= 0) {
    throw new ConfigError(
      `KAPPA_INIT_TIMEOUT_SECONDS must be a positive number, got "${env.KAPPA_INIT_TIMEOUT_SECONDS}"`,
    );
  }
  const nodeHost = env.KAPPA_NODE_HOST || "in-process";
  if (nodeHost !== "in-process" && nodeHost !== "runtime-api") {
    throw new ConfigError(`KAPPA_NODE_HOST must be in-process or runtime-api, got "${env.KAPPA_NODE_HOST}"`);
  }
  const major = nodeMajor(nodeVersion);
  const nodeBinaries: AgentConfig["nodeBinaries"] = {};
  const node20 = env.KAPPA_NODE20_BIN ?? (major === 20 ? execPath : undefined);
  const node22 = env.KAPPA_NODE22_BIN ?? (major === 22 ? execPath : undefined);
  if (node20) nodeBinaries.nodejs20 = node20;
  if (node22) nodeBinaries.nodejs22 = node22;
  return {
    port: port(env.KAPPA_AGENT_PORT, "KAPPA_AGENT_PORT", AGENT_DEFAULT_PORT),
    host: env.KAPPA_AGENT_HOST || "0.0.0.0",
    ...(runtime ? { runtime } : {}),
    ...(fn ? { function: fn } : {}),
    ...(env.KAPPA_TASK_ROOT ? { taskRoot: env.KAPPA_TASK_ROOT } : {}),
    region: env.AWS_REGION || env.KAPPA_REGION || "us-east-1",
    accountId: env.KAPPA_ACCOUNT_ID || "000000000000",
    instanceId: env.KAPPA_INSTANCE_ID || randomBytes(16).toString("hex"),
    nodeBinaries,
    pythonBinary: env.KAPPA_PYTHON_BIN || "python3",
    ...(bootstrapCommand ? { bootstrapCommand } : {}),
    initTimeoutMs: initSeconds * 1000,
    prewarm: env.KAPPA_PREWARM !== "false",
    nodeHost,
  };
}
