// The wire contract between the platform (gateway, controller, local mode) and the runtime agent that
// runs in every function instance. The agent (runtime/) implements it; everything else only calls it.
//
// HTTP on the agent port (env KAPPA_AGENT_PORT, default 8090; bind address KAPPA_AGENT_HOST, default 0.0.0.0):
//   POST /invoke          body = the event bytes (JSON). Headers in: AgentHeaders.requestId (required),
//                         deadlineMs (epoch ms, optional: defaults to now + timeoutSeconds), logType ("Tail"),
//                         clientContext (base64 JSON), invokedArn.
//                         200 = the invocation finished: body = the function's result (JSON text), or, when the
//                         functionError header is set ("Unhandled"), the error JSON {errorType, errorMessage, stackTrace}.
//                         logResult header = base64 of the invocation's last 4 KB of log when logType was Tail.
//                         429 {code:"InstanceBusy"} = all perInstance slots are taken (never queued).
//                         503 {code:"NotReady"} = not specialized yet, or init failed and the instance is being replaced.
//                         400 {code:"BadRequest"} = missing request id or malformed headers; 413 {code:"RequestTooLarge"}
//                         = body over 6 MB. A function whose init failed still answers 200 + functionError with the
//                         init error (Runtime.ImportModuleError, Runtime.HandlerNotFound, ...) and retries init on
//                         each invoke, as Lambda does.
//   POST /specialize      body = SpecializeRequest. 200 when the code is loaded and init ran; 409 if already
//                         specialized for another function; 400 with {code, message} for a bad request.
//                         200 body = {ready: true, function: "<ns>/<name>", initError?: FunctionErrorBody}: initError
//                         is set when the function's init failed (the instance stays specialized and reports it on
//                         invokes). Specializing again for the same function (and codeSha256) is a no-op 200.
//   GET  /healthz         200 while the process serves.
//   GET  /readyz          200 once a function is loaded and ready for invokes, else 503.
//   GET  /metrics         Prometheus text.
//
// Started with KAPPA_AGENT_PORT=0 the agent picks a free port; its stdout (one JSON object per line) then carries a
// line with {"msg":"listening","port":N} once it accepts requests, which a parent process (local mode) reads to
// learn the port. Other agent env: KAPPA_RUNTIME (the generic runtime it can specialize into), KAPPA_FUNCTION
// (a JSON SpecializeRequest to start already specialized); the rest is in docs/runtime.md.
// Function output appears on the agent's stdout as JSON lines
// {"time","level","requestId","function","stream":"stdout"|"stderr","message"}.

export const AGENT_DEFAULT_PORT = 8090;

export const AgentHeaders = {
  requestId: "x-kappa-request-id",
  deadlineMs: "x-kappa-deadline-ms",
  logType: "x-kappa-log-type",
  clientContext: "x-kappa-client-context",
  invokedArn: "x-kappa-invoked-arn",
  functionError: "x-kappa-function-error",
  logResult: "x-kappa-log-result",
  durationMs: "x-kappa-duration-ms",
} as const;

export type AgentCode =
  | { files: Record<string, string> } // relative path -> base64 content
  | { dir: string }; // an absolute directory already on the instance's file system

export interface SpecializeRequest {
  namespace: string;
  name: string;
  runtime: "nodejs20" | "nodejs22" | "python3.11" | "provided";
  handler: string;
  code: AgentCode;
  codeSha256?: string;
  env?: Record<string, string>;
  memoryMiB?: number;
  timeoutSeconds?: number;
  perInstance?: number;
}

/** Lambda's error result shape, as the agent returns it with the functionError header. */
export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}
