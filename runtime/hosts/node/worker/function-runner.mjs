// The function this worker runs: taking on a function (its environment, task root and handler), the
// invocations running now (at most perInstance, on this thread), their deadlines, logs and results.
import Module from "node:module";
import { randomFillSync } from "node:crypto";
import { parseJson } from "../context.mjs";
import { InitError, toLambdaError } from "../errors.mjs";
import { loadHandler } from "../load-handler.mjs";
import {
  initTimeoutError,
  MAX_RESPONSE_BYTES,
  responseTooLargeError,
  timeoutError,
} from "./lambda-errors.mjs";
import { LogTail } from "./output-capture.mjs";
import { runHandler } from "./run-handler.mjs";
import { errorReplyBytes, socketFd, writeAllSync } from "./replies.mjs";
import { leave, outsideInvocations, trackConcurrently } from "./invocation-context.mjs";
import { installTraceEnv } from "./trace-env.mjs";
import { Watchdog } from "./watchdog.mjs";

// Random bytes for trace ids, drawn 256 invocations at a time: one call per invoke costs more than the id.
const TRACE_BYTES = 20;
const tracePool = Buffer.alloc(TRACE_BYTES * 256);
let traceOffset = tracePool.length;

function traceId() {
  if (traceOffset === tracePool.length) {
    randomFillSync(tracePool);
    traceOffset = 0;
  }
  const root = tracePool.toString("hex", traceOffset, traceOffset + 12);
  const parent = tracePool.toString("hex", traceOffset + 12, traceOffset + TRACE_BYTES);
  traceOffset += TRACE_BYTES;
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${root};Parent=${parent};Sampled=0`;
}

const NOT_READY = { kind: "notReady" };
const BUSY = { kind: "busy" };

/** Replaces this process's environment with the function's (Lambda's variables plus its own). */
function takeEnvironment(env, cwd) {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(cwd);
  if (typeof Module._initPaths === "function") Module._initPaths(); // re-read NODE_PATH
}

export class FunctionRunner {
  /**
   * @param capture the OutputCapture of this process
   * @param retire called with a reason when this process must be replaced once its invocations are answered
   * @param reasonFd the pipe on which the watchdog tells the supervisor why the process died
   */
  constructor(capture, retire, reasonFd) {
    this.capture = capture;
    this.retire = retire;
    this.fn = undefined;
    this.initDone = undefined;
    this.initResult = undefined;
    this.handler = undefined;
    this.inflight = new Set();
    /** invokes that arrived while init runs */
    this.awaitingInit = new Set();
    this.freeSlots = [];
    this.watchdog = new Watchdog(reasonFd);
    this.deadlineTimer = undefined;
    this.deadlineTimerAt = 0;
  }

  get functionName() {
    return this.fn ? `${this.fn.namespace}/${this.fn.name}` : undefined;
  }

  /** A function is being loaded now. */
  get initializing() {
    return this.initStarted === true && this.initResult === undefined;
  }

  /** Init has finished (well or not), or waits for the first invoke: the instance answers invokes. */
  get ready() {
    return this.initResult !== undefined || (this.lazy && this.fn !== undefined);
  }

  /**
   * Becomes the function described by the supervisor; resolves with the init result. `lazy`: init waits for the
   * first invoke (after an init that ended the process, so that the invoke is there to be answered).
   */
  become(fn, lazy = false) {
    this.fn = fn;
    this.capture.rename(`${fn.namespace}/${fn.name}`);
    takeEnvironment(fn.env, fn.taskRoot);
    this.newTraceId = installTraceEnv(traceId);
    trackConcurrently(fn.perInstance > 1);
    this.freeSlots = Array.from({ length: fn.perInstance }, (_, i) => fn.perInstance - 1 - i);
    this.contextFields = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    };
    this.lazy = lazy;
    return lazy ? Promise.resolve({ ok: true }) : this.startInit();
  }

  startInit() {
    // Set before init runs: the module load may end the process before init() returns.
    this.initStarted = true;
    this.initDone = this.init(this.fn).then((result) => {
      this.initResult = result;
      return result;
    });
    return this.initDone;
  }

  async init(fn) {
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: initTimeoutError(fn.initTimeoutMs / 1000) }),
        fn.initTimeoutMs,
      );
    });
    const loaded = loadHandler(fn.taskRoot, fn.handler).then(
      (handler) => {
        this.handler = handler;
        return { ok: true };
      },
      (err) => ({
        ok: false,
        error: toLambdaError(err, err instanceof InitError ? err.errorType : undefined),
      }),
    );
    const result = await Promise.race([loaded, timedOut]);
    clearTimeout(timer);
    if (!result.ok) this.handler = undefined;
    return result;
  }

  /**
   * Runs one invocation. `input`: {requestId, deadlineMs?, invokedArn?, clientContext?, body, tail, socket}.
   * Calls `done` with {kind: "notReady" | "busy"} or {kind: "done", result, durationMs, logResult?, invocation?}.
   * Callbacks, not promises: this is the per-invocation path, and every promise costs here.
   */
  invoke(input, done) {
    const fn = this.fn;
    if (!fn) return done(NOT_READY);
    if (!this.initResult) {
      const waiting = { socket: input.socket };
      this.awaitingInit.add(waiting);
      return void (this.initDone ?? this.startInit()).then(() => {
        this.awaitingInit.delete(waiting);
        this.invoke(input, done);
      });
    }
    const started = performance.now();
    if (!this.initResult.ok) {
      // Lambda retries init on the next invoke, in a fresh runtime: this process gives way to one.
      this.retire("init retry");
      const durationMs = performance.now() - started;
      return done({ kind: "done", result: { ok: false, error: this.initResult.error }, durationMs });
    }
    const slot = this.freeSlots.pop();
    if (slot === undefined) return done(BUSY);
    const deadlineMs = input.deadlineMs ?? Date.now() + fn.timeoutSeconds * 1000;
    const tail = input.tail ? new LogTail() : undefined;
    tail?.append(`START RequestId: ${input.requestId} Version: $LATEST`);
    const invocation = {
      requestId: input.requestId,
      log: undefined, // made on the first write (output-capture.mjs)
      tail,
      socket: input.socket,
      started,
      slot,
      deadlineMs,
      done,
      finished: false,
      answered: false,
    };
    this.inflight.add(invocation);
    this.watchdog.arm(slot, deadlineMs, socketFd(input.socket), input.requestId, fn.timeoutSeconds);
    this.newTraceId();
    this.armDeadline(deadlineMs);
    this.run(input, deadlineMs, invocation, (outcome) => this.finish(invocation, this.toResult(outcome)));
  }

  finish(invocation, result) {
    if (invocation.finished) return;
    invocation.finished = true;
    leave(invocation);
    this.watchdog.disarm(invocation.slot);
    this.freeSlots.push(invocation.slot);
    this.inflight.delete(invocation);
    const durationMs = performance.now() - invocation.started;
    if (invocation.log) this.capture.flush(invocation.log);
    const { tail } = invocation;
    if (tail) this.endTail(tail, invocation.requestId, result, durationMs);
    invocation.done({ kind: "done", result, durationMs, logResult: tail?.base64(), invocation });
  }

  /** One timer for all deadlines, armed for the earliest: a timer per invocation costs more than the no-op. */
  armDeadline(deadlineMs) {
    if (this.deadlineTimer && this.deadlineTimerAt <= deadlineMs) return;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimerAt = deadlineMs;
    this.deadlineTimer = outsideInvocations(() =>
      setTimeout(() => this.sweepDeadlines(), Math.max(1, deadlineMs - Date.now())),
    );
  }

  sweepDeadlines() {
    this.deadlineTimer = undefined;
    const now = Date.now();
    let next = Infinity;
    for (const invocation of this.inflight) {
      if (invocation.deadlineMs > now) {
        next = Math.min(next, invocation.deadlineMs);
        continue;
      }
      // The handler may still be running: this process gives way once the answer is out.
      this.retire("timeout");
      this.finish(invocation, {
        ok: false,
        error: timeoutError(invocation.requestId, this.fn.timeoutSeconds),
      });
    }
    if (next !== Infinity) this.armDeadline(next);
  }

  run(input, deadlineMs, invocation, done) {
    let event;
    try {
      event = input.body.length === 0 ? {} : JSON.parse(input.body.toString("utf8"));
    } catch (err) {
      return done({
        ok: false,
        error: { errorType: "Runtime.UnmarshalError", errorMessage: err.message },
        raw: true,
      });
    }
    const shared = this.contextFields;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: shared.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: input.invokedArn ?? this.fn.arn,
      memoryLimitInMB: shared.memoryLimitInMB,
      awsRequestId: input.requestId,
      logGroupName: shared.logGroupName,
      logStreamName: shared.logStreamName,
      clientContext: parseJson(input.clientContext),
      identity: undefined,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    };
    runHandler(this.handler, event, context, invocation, done);
  }

  toResult(outcome) {
    if (!outcome.ok) return { ok: false, error: outcome.raw ? outcome.error : toLambdaError(outcome.error) };
    let text;
    try {
      text = JSON.stringify(outcome.value === undefined ? null : outcome.value);
    } catch (err) {
      return {
        ok: false,
        error: {
          errorType: "Runtime.MarshalError",
          errorMessage: `Unable to stringify response body: ${err.message}`,
          stackTrace: [],
        },
      };
    }
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_RESPONSE_BYTES) return { ok: false, error: responseTooLargeError(bytes) };
    return { ok: true, body: text, contentType: "application/json" };
  }

  endTail(tail, requestId, result, durationMs) {
    if (!result.ok) tail.append(JSON.stringify(result.error));
    tail.append(`END RequestId: ${requestId}`);
    tail.append(
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\t` +
        `Billed Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${this.fn.memoryMiB} MB`,
    );
  }

  /** The process ends during init: the invokes waiting for it get the init error, as Lambda returns it. */
  answerInitExitNow(error) {
    for (const { socket } of this.awaitingInit) writeAllSync(socketFd(socket), errorReplyBytes(error, 0));
    this.awaitingInit.clear();
  }

  /**
   * The process is about to die (process.exit, an uncaught exception): answers every invocation still running,
   * synchronously, with the error `errorFor(requestId)` gives.
   */
  answerAllNow(errorFor) {
    for (const invocation of this.inflight) {
      if (invocation.answered) continue;
      invocation.answered = true;
      if (invocation.log) this.capture.flush(invocation.log);
      const error = errorFor(invocation.requestId);
      const durationMs = performance.now() - invocation.started;
      let logResult;
      if (invocation.tail) {
        this.endTail(invocation.tail, invocation.requestId, { ok: false, error }, durationMs);
        logResult = invocation.tail.base64();
      }
      writeAllSync(socketFd(invocation.socket), errorReplyBytes(error, durationMs, logResult));
    }
  }
}
