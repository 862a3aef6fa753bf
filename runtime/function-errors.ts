// The error bodies the agent itself produces, worded as Lambda words them, and normalization of the error
// bodies runtimes post (the Node RIC sends `trace` where the contract says `stackTrace`).
import type { FunctionErrorBody } from "../api/agent.js";

/** Lambda's response payload limit: 6 MiB plus the 100 bytes of slack the Runtime API allows. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

export function timeoutError(requestId: string, timeoutSeconds: number): FunctionErrorBody {
  return {
    errorType: "Sandbox.Timedout",
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

export function exitError(
  requestId: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): FunctionErrorBody {
  const how = signal ? `signal: ${signal === "SIGKILL" ? "killed" : signal}` : `exit status ${code ?? 0}`;
  return {
    errorType: "Runtime.ExitError",
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
  };
}

export function responseTooLargeError(bytes: number): FunctionErrorBody {
  return {
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  };
}

export function initTimeoutError(seconds: number): FunctionErrorBody {
  return {
    errorType: "Runtime.InitTimeout",
    errorMessage: `Init timed out after ${seconds.toFixed(2)} seconds`,
  };
}

export function spawnError(command: string, message: string): FunctionErrorBody {
  return {
    errorType: "Runtime.InvalidEntrypoint",
    errorMessage: `could not start ${command}: ${message}`,
  };
}

const TYPE_NAME = /^[A-Za-z0-9_.]{1,128}$/;

/** Builds the error body from what a runtime posted to /error or /init/error. */
export function normalizeRuntimeError(body: Buffer, errorTypeHeader: string | undefined): FunctionErrorBody {
  const headerType = errorTypeHeader && TYPE_NAME.test(errorTypeHeader) ? errorTypeHeader : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { errorType: headerType ?? "Runtime.Unknown", errorMessage: body.toString("utf8").slice(0, 4096) };
  }
  const fields = parsed as Record<string, unknown>;
  const out: FunctionErrorBody & Record<string, unknown> = {
    ...fields,
    errorType: typeof fields.errorType === "string" ? fields.errorType : (headerType ?? "Runtime.Unknown"),
    errorMessage: typeof fields.errorMessage === "string" ? fields.errorMessage : "",
  };
  const trace = fields.stackTrace ?? fields.trace;
  if (Array.isArray(trace)) out.stackTrace = trace.map(String);
  return out;
}
