// One concurrency slot of an instance: one function process, its own Runtime API server, and the invocation it
// is running. The process is (re)started as needed: after a timeout, a crash or process.exit the slot restarts
// it, so the instance recovers; after an init error it re-runs init on the next invoke, as Lambda does.
import { spawn, type ChildProcess } from "node:child_process";
import type { FunctionErrorBody } from "../api/agent.js";
import {
  exitError,
  initTimeoutError,
  responseTooLargeError,
  spawnError,
  timeoutError,
} from "./function-errors.js";
import { LogCapture, LogTail } from "./log-capture.js";
import {
  RuntimeApiServer,
  type ApiAnswer,
  type InvocationEvent,
  type RuntimeApiListener,
} from "./runtime-api.js";

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

export interface LaunchPlan {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** started before the function is known: the host waits at /kappa/v1/prime for PrimeConfig */
  primed?: boolean;
}

/** What a primed host needs to become the function: its full environment and its task root. */
export interface PrimeConfig {
  env: Record<string, string>;
  cwd: string;
}

export type InvokeResult =
  { ok: true; body: Buffer; contentType: string } | { ok: false; error: FunctionErrorBody };

export type InitResult = { ok: true } | { ok: false; error: FunctionErrorBody };

export interface SlotEvents {
  initFailed(error: FunctionErrorBody): void;
  restarted(reason: string): void;
}

type State = "stopped" | "primed" | "starting" | "ready" | "busy" | "failed";

interface Active {
  event: InvocationEvent;
  delivered: boolean;
  finish: (result: InvokeResult) => void;
  timer: NodeJS.Timeout;
}

export class Slot implements RuntimeApiListener {
  private state: State = "stopped";
  private child: ChildProcess | undefined;
  private address = "";
  private socket: string | undefined;
  private readonly api = new RuntimeApiServer(this);
  private waitingNext: { deliver: (event: InvocationEvent) => void; gone: () => boolean } | undefined;
  private active: Active | undefined;
  private initWaiters: Array<(result: InitResult) => void> = [];
  private initTimer: NodeJS.Timeout | undefined;
  private lastInitError: FunctionErrorBody | undefined;
  private initErrorReported = false;
  private primeReply: ((config: unknown) => void) | undefined;
  private pendingPrime: PrimeConfig | undefined;
  private plan: LaunchPlan | undefined;
  private closed = false;
  readonly logs: LogCapture;

  constructor(
    private readonly initTimeoutMs: number,
    functionLabel: string,
    write: (line: string) => void,
    private readonly events: SlotEvents,
  ) {
    this.logs = new LogCapture(functionLabel, write);
  }

  /** Starts this slot's Runtime API; `socketPath` adds a Unix socket for Kappa's own hosts. */
  async open(socketPath?: string): Promise<string> {
    const listening = await this.api.listen(socketPath);
    this.address = listening.address;
    this.socket = listening.socketPath;
    return this.address;
  }

  get runtimeApi(): string {
    return this.address;
  }

  /** A generic host that has started and waits for its function. */
  get waitingForPrime(): boolean {
    return this.state === "primed" && this.primeReply !== undefined;
  }

  get runtimeApiSocket(): string | undefined {
    return this.socket;
  }

  get busy(): boolean {
    return this.state === "busy";
  }

  /** Starts the process for a plan; resolves when it is ready for an event (or primed and waiting). */
  start(plan: LaunchPlan): Promise<InitResult> {
    this.plan = plan;
    this.spawnChild(plan);
    if (plan.primed) return Promise.resolve({ ok: true });
    return this.waitForInit();
  }

  /** Turns a primed process into the function. Falls back to a fresh process when it is not primed. */
  specialize(config: PrimeConfig, plan: LaunchPlan): Promise<InitResult> {
    this.plan = plan;
    if (this.state !== "primed" || !this.child) {
      this.kill();
      this.spawnChild(plan);
      return this.waitForInit();
    }
    this.state = "starting";
    this.armInitTimer();
    if (this.primeReply) {
      const reply = this.primeReply;
      this.primeReply = undefined;
      reply(config);
    } else {
      this.pendingPrime = config;
    }
    return this.waitForInit();
  }

  /** Runs one invocation on this slot. The instance reserves the slot, so calls never overlap. */
  async invoke(
    event: InvocationEvent,
    timeoutSeconds: number,
    tail: LogTail | undefined,
  ): Promise<InvokeResult> {
    this.logs.setInvocation({ requestId: event.requestId, ...(tail ? { tail } : {}) });
    if (this.state !== "ready") {
      if (this.state === "failed" || this.state === "stopped") this.restart("init retry");
      const init = await this.waitForInit();
      if (!init.ok) {
        this.logs.flush();
        this.logs.setInvocation(undefined);
        return { ok: false, error: init.error };
      }
    }
    this.state = "busy";
    return new Promise<InvokeResult>((resolve) => {
      const remaining = Math.max(1, event.deadlineMs - Date.now());
      const timer = setTimeout(() => {
        this.complete({ ok: false, error: timeoutError(event.requestId, timeoutSeconds) });
        this.restart("timeout");
      }, remaining);
      this.active = {
        event,
        delivered: false,
        timer,
        finish: (result) => {
          // Output written just before the response may still sit in the pipe: read it before closing the log.
          setImmediate(() => {
            this.logs.flush();
            this.logs.setInvocation(undefined);
            resolve(result);
          });
        },
      };
      this.deliverIfWaiting();
    });
  }

  close(): void {
    this.closed = true;
    this.kill();
    this.api.close();
  }

  // ---- Runtime API callbacks ----

  next(deliver: (event: InvocationEvent) => void, gone: () => boolean): void {
    this.waitingNext = { deliver, gone };
    if (this.state === "starting") {
      this.clearInitTimer();
      this.state = this.active ? "busy" : "ready";
      this.lastInitError = undefined;
      this.initErrorReported = false;
      this.settleInit({ ok: true });
    }
    this.deliverIfWaiting();
  }

  response(requestId: string, body: Buffer, contentType: string | undefined): ApiAnswer {
    const bad = this.checkRequestId(requestId);
    if (bad) return bad;
    this.complete({ ok: true, body, contentType: contentType ?? "application/json" });
    return { status: 202, body: { status: "OK" } };
  }

  responseTooLarge(requestId: string, bytes: number): ApiAnswer {
    const bad = this.checkRequestId(requestId);
    if (bad) return bad;
    this.complete({ ok: false, error: responseTooLargeError(bytes) });
    return {
      status: 413,
      body: {
        errorType: "RequestEntityTooLarge",
        errorMessage: `response of ${bytes} bytes exceeds the limit`,
      },
    };
  }

  error(requestId: string, error: FunctionErrorBody): ApiAnswer {
    const bad = this.checkRequestId(requestId);
    if (bad) return bad;
    this.complete({ ok: false, error });
    return { status: 202, body: { status: "OK" } };
  }

  initError(error: FunctionErrorBody): ApiAnswer {
    if (this.state !== "starting") {
      return {
        status: 403,
        body: { errorType: "InvalidStateTransition", errorMessage: "init already finished" },
      };
    }
    this.failInit(error);
    return { status: 202, body: { status: "OK" } };
  }

  prime(deliver: (config: unknown) => void): void {
    if (this.pendingPrime) {
      const config = this.pendingPrime;
      this.pendingPrime = undefined;
      deliver(config);
    } else {
      this.primeReply = deliver;
    }
  }

  // ---- internals ----

  private checkRequestId(requestId: string): ApiAnswer | undefined {
    if (this.active?.event.requestId === requestId && this.active.delivered) return undefined;
    return {
      status: 400,
      body: { errorType: "InvalidRequestID", errorMessage: `no invocation ${requestId} is in progress` },
    };
  }

  private deliverIfWaiting(): void {
    const waiting = this.waitingNext;
    if (!this.active || this.active.delivered || !waiting || waiting.gone()) return;
    this.waitingNext = undefined;
    this.active.delivered = true;
    waiting.deliver(this.active.event);
  }

  private complete(result: InvokeResult): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    clearTimeout(active.timer);
    if (this.state === "busy") this.state = "ready";
    active.finish(result);
  }

  private spawnChild(plan: LaunchPlan): void {
    this.state = plan.primed ? "primed" : "starting";
    this.lastInitError = undefined;
    if (!plan.primed) this.armInitTimer();
    let child: ChildProcess;
    try {
      child = spawn(plan.command, plan.args, {
        cwd: plan.cwd,
        env: plan.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      this.failInit(spawnError(plan.command, (err as Error).message));
      return;
    }
    this.child = child;
    this.logs.attach(child.stdout!, "stdout");
    this.logs.attach(child.stderr!, "stderr");
    child.on("error", (err) => {
      if (this.child === child) this.failInit(spawnError(plan.command, err.message));
    });
    child.on("exit", (code, signal) => {
      // 'close' comes once the pipes are drained (the process's last words); a grandchild holding the pipes
      // open must not delay recovery, hence the bound.
      const proceed = once(() => this.onExit(child, code, signal));
      child.once("close", proceed);
      setTimeout(proceed, 100);
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.waitingNext = undefined;
    this.primeReply = undefined;
    const wasInitializing = this.state === "starting" || this.state === "primed";
    // An event not yet handed to the process waits for the restarted one; a delivered one died with it.
    if (this.active?.delivered) {
      this.complete({ ok: false, error: exitError(this.active.event.requestId, code, signal) });
    }
    if (this.closed) return;
    if (wasInitializing) {
      const exited = exitError("init", code, signal);
      this.failInit({ ...exited, errorMessage: exited.errorMessage.replace("RequestId: init Error: ", "") });
      return;
    }
    if (this.state !== "failed") this.restart(`exit ${signal ?? code}`);
  }

  private restart(reason: string): void {
    if (this.closed || !this.plan) return;
    this.kill();
    this.events.restarted(reason);
    const plan = { ...this.plan, primed: false };
    this.spawnChild(plan);
    void this.waitForInit();
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    this.waitingNext = undefined;
    this.primeReply = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    if (this.active?.delivered || (this.active && this.closed)) {
      const requestId = this.active.event.requestId;
      this.complete({ ok: false, error: exitError(requestId, null, "SIGKILL") });
    }
    this.state = "stopped";
  }

  private armInitTimer(): void {
    this.clearInitTimer();
    this.initTimer = setTimeout(() => {
      this.failInit(initTimeoutError(this.initTimeoutMs / 1000));
      const child = this.child;
      this.child = undefined;
      child?.kill("SIGKILL");
    }, this.initTimeoutMs);
  }

  private clearInitTimer(): void {
    if (this.initTimer) clearTimeout(this.initTimer);
    this.initTimer = undefined;
  }

  private failInit(error: FunctionErrorBody): void {
    this.clearInitTimer();
    this.lastInitError = error;
    this.state = "failed";
    if (this.active && !this.active.delivered) this.complete({ ok: false, error });
    if (!this.initErrorReported) {
      this.initErrorReported = true;
      this.events.initFailed(error);
    }
    this.settleInit({ ok: false, error });
  }

  private waitForInit(): Promise<InitResult> {
    if (this.state === "ready" || this.state === "busy") return Promise.resolve({ ok: true });
    if (this.state === "failed" && this.lastInitError)
      return Promise.resolve({ ok: false, error: this.lastInitError });
    return new Promise((resolve) => this.initWaiters.push(resolve));
  }

  private settleInit(result: InitResult): void {
    const waiters = this.initWaiters;
    this.initWaiters = [];
    for (const waiter of waiters) waiter(result);
  }
}
