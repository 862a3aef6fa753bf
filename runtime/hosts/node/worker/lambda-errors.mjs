// The error bodies the host worker produces itself, worded as Lambda words them (the same texts as the agent's
// runtime/function-errors.ts, which serves the child-process hosts).

/** Lambda's response payload limit: 6 MiB plus the 100 bytes of slack the Runtime API allows. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

export function timeoutError(requestId, timeoutSeconds) {
  return {
    errorType: "Sandbox.Timedout",
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

export function exitError(requestId, code, signal) {
  const how = signal ? `signal: ${signal === "SIGKILL" ? "killed" : signal}` : `exit status ${code ?? 0}`;
  return {
    errorType: "Runtime.ExitError",
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
  };
}

/** The process ended during init (process.exit at module load): Lambda's init error, without a request id. */
export function initExitError(code, signal) {
  const { errorType, errorMessage } = exitError("init", code, signal);
  return { errorType, errorMessage: errorMessage.replace("RequestId: init Error: ", "") };
}

export function responseTooLargeError(bytes) {
  return {
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  };
}

export function initTimeoutError(seconds) {
  return {
    errorType: "Runtime.InitTimeout",
    errorMessage: `Init timed out after ${seconds.toFixed(2)} seconds`,
  };
}

export function unhandledRejectionError(reason) {
  return {
    errorType: "Runtime.UnhandledPromiseRejection",
    errorMessage: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    stackTrace: reason instanceof Error && reason.stack ? reason.stack.split("\n").slice(1) : [],
  };
}
