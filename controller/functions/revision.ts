// What an instance runs, derived purely from the Function: the specialize request and the revision hash. Any change
// to the revision (code, handler, env, memory, timeout, concurrency) rolls the function's instances.
import { createHash, randomBytes } from "node:crypto";
import type { SpecializeRequest } from "../../api/agent.js";
import type { ResolvedCode } from "./code.js";
import type { FunctionConfig } from "./function-config.js";

export function makeSpecializeRequest(fn: FunctionConfig, code: ResolvedCode): SpecializeRequest {
  return {
    namespace: fn.namespace,
    name: fn.name,
    runtime: fn.runtime,
    handler: fn.handler,
    code: code.code,
    codeSha256: code.codeSha256,
    env: fn.env,
    memoryMiB: fn.memoryMiB,
    timeoutSeconds: fn.timeoutSeconds,
    perInstance: fn.perInstance,
  };
}

export function revisionOf(fn: FunctionConfig, codeSha256: string): string {
  const identity = {
    runtime: fn.runtime,
    handler: fn.handler,
    codeSha256,
    env: Object.entries(fn.env).sort(([a], [b]) => a.localeCompare(b)),
    memoryMiB: fn.memoryMiB,
    timeoutSeconds: fn.timeoutSeconds,
    perInstance: fn.perInstance,
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

/** Instance ids: readable (namespace, name, revision) and unique (random suffix), valid as a Kubernetes pod name. */
export const names = {
  functionInstance: (fn: { namespace: string; name: string }, revision: string) =>
    dns(`${fn.namespace}-${fn.name}`, 45) + `-${revision.slice(0, 8)}-${suffix()}`,
  poolInstance: (runtime: string) => `pool-${dns(runtime, 20)}-${suffix()}`,
};

const suffix = () => randomBytes(3).toString("hex");
const dns = (value: string, max: number) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, max)
    .replace(/-+$/, "");
