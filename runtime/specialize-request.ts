// Checks a SpecializeRequest (from POST /specialize or KAPPA_FUNCTION) and fills in Lambda's defaults.
import { isAbsolute } from "node:path";
import type { SpecializeRequest } from "../api/agent.js";
import { checkUserEnv } from "./lambda-env.js";

export const RUNTIMES = ["nodejs20", "nodejs22", "python3.11", "provided"] as const;

export type FunctionSpec = Required<Omit<SpecializeRequest, "codeSha256">> & { codeSha256?: string };

export type ParseResult = { ok: true; spec: FunctionSpec } | { ok: false; message: string };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function fail(message: string): ParseResult {
  return { ok: false, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function intIn(value: unknown, field: string, min: number, max: number, fallback: number): number | string {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    return `${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`;
  }
  return value;
}

export function parseSpecializeRequest(body: unknown): ParseResult {
  if (!isRecord(body)) return fail("the request body must be a JSON object (a SpecializeRequest)");
  const { namespace, name, runtime, handler, code } = body;
  if (typeof namespace !== "string" || !NAME.test(namespace)) {
    return fail('namespace must be a Kubernetes name such as "default"');
  }
  if (typeof name !== "string" || !NAME.test(name) || name.length > 64) {
    return fail('name must be a lowercase name of at most 64 characters such as "hello"');
  }
  if (typeof runtime !== "string" || !(RUNTIMES as readonly string[]).includes(runtime)) {
    return fail(`runtime must be one of ${RUNTIMES.join(", ")}, got ${JSON.stringify(runtime)}`);
  }
  if (typeof handler === "string" && handler.split("/").includes("..")) {
    return fail('handler must not leave the task root (no "..")');
  }
  if (typeof handler !== "string" || (runtime !== "provided" && !/^[^.]+\.[^.].*$/.test(handler))) {
    return fail('handler must be <file>.<export> such as "index.handler" or "src/app.handler"');
  }
  if (!isRecord(code)) return fail('code must be {files: {path: base64}} or {dir: "/absolute/dir"}');
  if ("dir" in code) {
    if (typeof code.dir !== "string" || !isAbsolute(code.dir))
      return fail("code.dir must be an absolute path");
  } else if ("files" in code) {
    if (!isRecord(code.files)) return fail("code.files must map relative paths to base64 content");
    for (const [path, content] of Object.entries(code.files)) {
      if (isAbsolute(path) || path.split(/[\\/]/).includes("..") || path === "") {
        return fail(`code.files key "${path}" must be a relative path inside the task root`);
      }
      if (typeof content !== "string") return fail(`code.files["${path}"] must be a base64 string`);
    }
  } else {
    return fail('code must be {files: {path: base64}} or {dir: "/absolute/dir"}');
  }
  const env = body.env ?? {};
  if (!isRecord(env)) return fail("env must be an object of string values");
  const envProblem = checkUserEnv(env);
  if (envProblem) return fail(envProblem);
  const memoryMiB = intIn(body.memoryMiB, "memoryMiB", 128, 10240, 128);
  if (typeof memoryMiB === "string") return fail(memoryMiB);
  const timeoutSeconds = intIn(body.timeoutSeconds, "timeoutSeconds", 1, 900, 3);
  if (typeof timeoutSeconds === "string") return fail(timeoutSeconds);
  const perInstance = intIn(body.perInstance, "perInstance", 1, 1000, 1);
  if (typeof perInstance === "string") return fail(perInstance);
  if (body.codeSha256 !== undefined && typeof body.codeSha256 !== "string") {
    return fail("codeSha256 must be a hex string");
  }
  return {
    ok: true,
    spec: {
      namespace,
      name,
      runtime: runtime as FunctionSpec["runtime"],
      handler,
      code: code as FunctionSpec["code"],
      env: env as Record<string, string>,
      memoryMiB,
      timeoutSeconds,
      perInstance,
      ...(typeof body.codeSha256 === "string" ? { codeSha256: body.codeSha256 } : {}),
    },
  };
}
