// Kappa's Node.js host worker: the process that serves the agent's HTTP API (api/agent.ts) and runs the
// function's handler on its own thread, so that an invocation costs one process and one wake-up. The agent
// (runtime/host-supervisor.ts) is its supervisor: it owns the listening socket and hands it over at start,
// prepares specializations, and replaces this process when it retires (after a timeout, an init failure) or
// dies (process.exit, an uncaught exception, the watchdog, a kill). See docs/runtime.md.
import { toLambdaError } from "../errors.mjs";
import { createAgentServer } from "./agent-routes.mjs";
import { FunctionRunner } from "./function-runner.mjs";
import { writeSync } from "node:fs";
import { exitError, initExitError, unhandledRejectionError } from "./lambda-errors.mjs";
import { jsonReplyBytes, socketFd, writeAllSync } from "./replies.mjs";
import { OutputCapture } from "./output-capture.mjs";
import { WorkerMetrics } from "./worker-metrics.mjs";

/** The supervisor sends a heartbeat every second; silence this long means it is frozen or wedged. */
const SUPERVISOR_SILENCE_MS = 3500;
/** A pipe to the supervisor that still works when the event loop never runs again (see watchdog.mjs). */
const REASON_FD = 4;

const capture = new OutputCapture("(generic)");
capture.install();
const metrics = new WorkerMetrics();
let server;
let retiring = false;
let draining = false;
const specializing = new Map();
let nextSpecializeId = 1;

function send(message) {
  if (process.connected) process.send(message);
}

/** Stops taking connections and exits once every connection is done; `notify`: ask for a successor. */
function stepDown(reason, notify) {
  if (!retiring && notify) send({ type: "retire", reason });
  retiring = true;
  closeServer();
}

function closeServer() {
  if (!server) return process.exit(0);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}

const runner = new FunctionRunner(capture, (reason) => stepDown(reason, true), REASON_FD);

function become(fn, lazy = false) {
  return runner.become(fn, lazy).then((result) => {
    send({ type: "initResult", ...result });
    return result;
  });
}

let supervisorSeen = Date.now();
let watchdogOnline = false;
void runner.watchdog.online.then(() => (watchdogOnline = true));

const worker = {
  runner,
  metrics,
  primed: () => runner.fn === undefined && watchdogOnline,
  retiring: () => retiring || draining,
  supervised: () => Date.now() - supervisorSeen < SUPERVISOR_SILENCE_MS,
  log: (level, msg, fields) => capture.agentLine(level, msg, fields),
  specialize(body, socket) {
    const id = nextSpecializeId++;
    send({ type: "specialize", id, body: body.toString("utf8") });
    return new Promise((resolve) => specializing.set(id, { resolve, socket }));
  },
};

function answerSpecialize(id, answer) {
  const pending = specializing.get(id);
  specializing.delete(id);
  pending?.resolve(answer);
}

process.on("message", (message, handle) => {
  supervisorSeen = Date.now();
  switch (message.type) {
    case "start": {
      metrics.carry(message.carry);
      server = createAgentServer(worker);
      const init = message.fn ? become(message.fn, message.lazyInit) : runner.watchdog.online;
      server.listen(handle, () => void init.then(() => send({ type: "ready" })));
      break;
    }
    case "become":
      void become(message.fn).then((result) => {
        answerSpecialize(message.id, {
          status: 200,
          body: {
            ready: true,
            function: runner.functionName,
            ...(result.ok ? {} : { initError: result.error }),
          },
        });
        // Lambda retries a failed init in a fresh runtime: give way to one.
        if (!result.ok) stepDown("init retry", true);
      });
      break;
    case "specialized":
      answerSpecialize(message.id, { status: message.status, body: message.body });
      if (message.stepDown) stepDown("replaced", false);
      break;
    case "carry":
      metrics.carry(message.carry);
      break;
    case "drain":
      draining = true;
      closeServer();
      break;
  }
});

// Ctrl-C in a terminal signals the whole process group: the supervisor drains this process over IPC instead.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

// The supervisor is gone: nobody can reach this process any more.
process.on("disconnect", () => process.exit(0));

// The process dies with invocations running: answer them first, as Lambda does, with the cause.
process.on("exit", (code) => {
  runner.answerAllNow((requestId) => exitError(requestId, code, null));
  if (runner.initializing) {
    // process.exit at module load: the specialization and the waiting invokes get the init error, and the
    // successor loads the function only when an invoke is there to be answered.
    const error = initExitError(code, null);
    for (const { socket } of specializing.values()) {
      const body = { ready: true, function: runner.functionName, initError: error };
      writeAllSync(socketFd(socket), jsonReplyBytes(body));
    }
    runner.answerInitExitNow(error);
    try {
      writeSync(REASON_FD, "init-exit\n");
    } catch {
      // no supervisor listening
    }
  }
});
process.on("uncaughtException", (err) => {
  runner.answerAllNow(() => toLambdaError(err));
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  runner.answerAllNow(() => unhandledRejectionError(reason));
  process.exit(128);
});
