// The environment a function process sees: Lambda's reserved variables plus the function's own.
import type { SpecializeRequest } from "../api/agent.js";

/** Lambda refuses these in a function's env; so do we (the runtime sets them). */
export const RESERVED_ENV_KEYS = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

/** Lambda's limit on the total size of a function's environment variables. */
export const MAX_USER_ENV_BYTES = 4096;

const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** Returns a message naming the problem and the fix, or undefined when the env is acceptable. */
export function checkUserEnv(env: Record<string, unknown>): string | undefined {
  let bytes = 0;
  for (const [key, value] of Object.entries(env)) {
    if (RESERVED_ENV_KEYS.has(key)) {
      return `env key "${key}" is reserved by the Lambda runtime: remove it from env`;
    }
    if (!ENV_KEY.test(key)) {
      return `env key "${key}" is not a valid name: use letters, digits and underscores, starting with a letter`;
    }
    if (typeof value !== "string") return `env.${key} must be a string (quote numbers and booleans)`;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_USER_ENV_BYTES) {
    return `env is ${bytes} bytes; Lambda's limit is ${MAX_USER_ENV_BYTES} bytes in total: move large values to files or a Secret`;
  }
  return undefined;
}

export interface LambdaEnvInput {
  fn: SpecializeRequest;
  taskRoot: string;
  runtimeDir: string;
  runtimeApi: string;
  region: string;
  logStreamName: string;
  tmpDir: string;
  initializationType: "on-demand" | "provisioned-concurrency";
  /** the agent's own environment: PATH, HOME, credentials and endpoints pass through */
  parentEnv: NodeJS.ProcessEnv;
}

const PASS_THROUGH = [
  "PATH",
  "HOME",
  "LD_LIBRARY_PATH",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

export function executionEnv(runtime: SpecializeRequest["runtime"]): string | undefined {
  if (runtime === "nodejs20") return "AWS_Lambda_nodejs20.x";
  if (runtime === "nodejs22") return "AWS_Lambda_nodejs22.x";
  if (runtime === "python3.11") return "AWS_Lambda_python3.11";
  return undefined;
}

export function logGroupName(fn: Pick<SpecializeRequest, "name">): string {
  return `/aws/lambda/${fn.name}`;
}

export function logStreamName(now: Date, instanceId: string): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${instanceId}`;
}

export function buildLambdaEnv(input: LambdaEnvInput): Record<string, string> {
  const { fn, parentEnv } = input;
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const value = parentEnv[key];
    if (value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(parentEnv)) {
    if (key.startsWith("AWS_ENDPOINT_URL") && value !== undefined) env[key] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.LANG = "en_US.UTF-8";
  env.TZ = ":UTC";
  env.TMPDIR = input.tmpDir;
  Object.assign(env, fn.env ?? {});
  const execEnv = executionEnv(fn.runtime);
  if (execEnv) env.AWS_EXECUTION_ENV = execEnv;
  if (fn.runtime === "nodejs20" || fn.runtime === "nodejs22") {
    env.NODE_PATH = `/opt/nodejs/node_modules:${input.runtimeDir}/node_modules`;
  }
  Object.assign(env, {
    _HANDLER: fn.handler,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMiB ?? 128),
    AWS_LAMBDA_INITIALIZATION_TYPE: input.initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(fn),
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_LAMBDA_RUNTIME_API: input.runtimeApi,
    LAMBDA_TASK_ROOT: input.taskRoot,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
  });
  return env;
}
