// Kappa's Node.js handler host: a small runtime interface client of the agent's Lambda Runtime API. It loads
// the handler once, then loops: GET /next, run the handler, POST /response or /error.
import Module from "node:module";
import { makeContext } from "./context.mjs";
import { InitError, toLambdaError } from "./errors.mjs";
import { loadHandler } from "./load-handler.mjs";
import { RuntimeClient } from "./runtime-client.mjs";

// KAPPA_RUNTIME_API_SOCKET: the same Runtime API on a Unix socket, cheaper per call than loopback TCP.
const client = new RuntimeClient(
  process.env.AWS_LAMBDA_RUNTIME_API ?? "127.0.0.1:9001",
  process.env.KAPPA_RUNTIME_API_SOCKET,
);
let currentRequestId;

function exitAfter(promise, code) {
  promise.catch(() => {}).finally(() => process.exit(code));
}

// Between invocations a request for the next event is pending on the socket, so there is nobody to tell:
// the agent sees the exit and restarts the process.
process.on("uncaughtException", (err) => {
  if (!currentRequestId) process.exit(129);
  exitAfter(client.postError(currentRequestId, toLambdaError(err)), 129);
});
process.on("unhandledRejection", (reason) => {
  const error = {
    errorType: "Runtime.UnhandledPromiseRejection",
    errorMessage: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    stackTrace: reason instanceof Error && reason.stack ? reason.stack.split("\n").slice(1) : [],
  };
  if (!currentRequestId) process.exit(128);
  exitAfter(client.postError(currentRequestId, error), 128);
});

/** A host started before its function was known receives the function's environment and task root here. */
async function becomeFunction() {
  const { env, cwd } = await client.prime();
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(cwd);
  if (typeof Module._initPaths === "function") Module._initPaths(); // re-read NODE_PATH
}

function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    let pending;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      process.removeListener("beforeExit", onEmptyLoop);
      resolve(outcome);
    };
    // Lambda's rule: with callbackWaitsForEmptyEventLoop a callback's result is sent once the event loop is
    // empty; a handler that neither returns a promise nor calls back returns null when the loop empties.
    const onEmptyLoop = () => finish(pending ?? { ok: true, value: null });
    process.on("beforeExit", onEmptyLoop);
    const callback = (err, value) => {
      if (pending) return;
      pending = err !== undefined && err !== null ? { ok: false, error: err } : { ok: true, value };
      if (!context.callbackWaitsForEmptyEventLoop) finish(pending);
    };
    context.done = (err, value) => callback(err, value);
    context.succeed = (value) => callback(null, value);
    context.fail = (err) => callback(err ?? "handled");
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then(
          (value) => finish({ ok: true, value }),
          (error) => finish({ ok: false, error }),
        );
      }
    } catch (error) {
      finish({ ok: false, error });
    }
  });
}

/** Sends the outcome; a success is pipelined with the request for the next event, which it returns. */
async function postOutcome(requestId, outcome) {
  if (!outcome.ok) {
    await client.postError(requestId, toLambdaError(outcome.error));
    return undefined;
  }
  let text;
  try {
    text = JSON.stringify(outcome.value === undefined ? null : outcome.value);
  } catch (err) {
    await client.postError(requestId, {
      errorType: "Runtime.MarshalError",
      errorMessage: `Unable to stringify response body: ${err.message}`,
      stackTrace: [],
    });
    return undefined;
  }
  return client.respondAndNext(requestId, text);
}

async function main() {
  if (process.env.KAPPA_HOST_PRIME) await becomeFunction();
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  let handler;
  try {
    handler = await loadHandler(root, process.env._HANDLER ?? "");
  } catch (err) {
    const error = toLambdaError(err, err instanceof InitError ? err.errorType : undefined);
    await client.postInitError(error).catch(() => {});
    process.exit(1);
  }
  let pipelined;
  for (;;) {
    const res = pipelined ?? (await client.next());
    pipelined = undefined;
    const requestId = res.headers["lambda-runtime-aws-request-id"];
    const trace = res.headers["lambda-runtime-trace-id"];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = res.body.length === 0 ? {} : JSON.parse(res.body.toString("utf8"));
    } catch (err) {
      await client.postError(requestId, { errorType: "Runtime.UnmarshalError", errorMessage: err.message });
      continue;
    }
    currentRequestId = requestId;
    const context = makeContext(res.headers, process.env, { callback: () => {} });
    const outcome = await runHandler(handler, event, context);
    const answered = postOutcome(requestId, outcome);
    currentRequestId = undefined;
    pipelined = await answered;
  }
}

main().catch((err) => {
  // The agent is gone (or answered nonsense): nothing to serve, so do not linger as an orphan.
  process.stderr.write(`kappa node host: ${err.message}\n`);
  process.exit(1);
});
