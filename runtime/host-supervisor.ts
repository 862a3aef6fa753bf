// The agent as a supervisor of one Node host worker (hosts/node/worker/main.mjs), the fast path for nodejs20
// and nodejs22: the worker serves the agent's HTTP API and runs the handler on its own thread, so an invocation
// costs one process and one wake-up. The supervisor owns what must outlive a worker: the listening socket,
// the function's prepared specialization, restart and init-error counts, SIGTERM draining. It replaces a worker
// that retires (after a timeout, a failed init) or dies (process.exit, a crash, the watchdog, a kill).
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { AgentConfig } from "./config.js";
import type {
  CarriedCounts,
  FromWorker,
  InitResult,
  ToWorker,
  WorkerFunction,
} from "./host-worker-protocol.js";
import { buildLambdaEnv, logStreamName } from "./lambda-env.js";
import { canUsePrimedHost, hostsDir, runtimeDir } from "./launch-plan.js";
import type { ListenHandle } from "./listen-handle.js";
import { parseSpecializeRequest, type FunctionSpec } from "./specialize-request.js";
import { CodeError, createTempDir, materializeCode } from "./task-root.js";

/** A worker that dies this soon after it started, twice in a row, is restarted after a pause. */
const QUICK_EXIT_MS = 1000;
const RESTART_PAUSE_MS = 1000;
/** A worker reports not ready when the supervisor falls silent (frozen, wedged): it could not replace it. */
const HEARTBEAT_MS = 1000;
/** Workers that die before the first one ever became ready: the agent cannot run here. */
const MAX_FAILED_STARTS = 5;

interface Specialization {
  key: string;
  label: string;
  runtime: FunctionSpec["runtime"];
  fn: WorkerFunction;
  /** the /specialize answer body once the first init finished */
  answer: Promise<unknown>;
  settle: (body: unknown) => void;
  settled: boolean;
}

interface Worker {
  child: ChildProcess;
  startedAt: number;
  retiring: boolean;
  /** what the worker's last-words pipe said (the watchdog's "timeout") */
  lastWords?: string;
}

function deferred(): { promise: Promise<unknown>; resolve: (value: unknown) => void } {
  let resolve!: (value: unknown) => void;
  const promise = new Promise<unknown>((r) => (resolve = r));
  return { promise, resolve };
}

export class HostSupervisor {
  private current: Worker | undefined;
  private readonly workers = new Set<Worker>();
  private specialization: Specialization | undefined;
  private readonly counts: CarriedCounts = { restarts: {}, initErrors: 0 };
  private initErrorReported = false;
  private everReady = false;
  private failedStarts = 0;
  private quickExits = 0;
  private stopping = false;
  private readonly tmpDir = createTempDir("kappa-tmp-");
  private createdTaskRoot: string | undefined;
  private readonly streamName: string;
  private onFirstReady: (() => void) | undefined;
  /** specialize requests whose answer waits for a fresh worker's init: worker -> request id */
  private awaitingFreshInit: { worker: Worker; id: number } | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly handle: ListenHandle,
    private readonly port: number,
    private readonly runtime: "nodejs20" | "nodejs22",
    private readonly nodeBinary: string,
  ) {
    this.streamName = logStreamName(new Date(), config.instanceId);
  }

  /** Starts the first worker (already specialized with KAPPA_FUNCTION when set); resolves once it serves. */
  start(): Promise<void> {
    if (this.config.function) {
      const prepared = this.prepare(this.config.function);
      if (typeof prepared === "string") return Promise.reject(new CodeError(prepared));
      this.specialization = prepared;
    } else this.warmUp();
    const ready = new Promise<void>((resolve) => (this.onFirstReady = resolve));
    setInterval(() => {
      for (const worker of this.workers) this.send(worker, { type: "heartbeat" });
    }, HEARTBEAT_MS).unref();
    this.current = this.spawn(this.specialization?.fn);
    return ready;
  }

  /** Runs the specialization's validation and env code once, so the first /specialize does not compile it. */
  private warmUp(): void {
    const sample = parseSpecializeRequest({
      namespace: "warm",
      name: "up",
      runtime: this.runtime,
      handler: "index.handler",
      code: { files: {} },
      env: { WARM: "up" },
    });
    if (!sample.ok) return;
    this.functionEnv(sample.spec, this.tmpDir);
  }

  /** The environment a function's handler sees in the worker (Lambda's variables plus the function's own). */
  private functionEnv(fn: FunctionSpec, taskRoot: string): Record<string, string> {
    return buildLambdaEnv({
      fn,
      taskRoot,
      runtimeDir: runtimeDir(fn.runtime),
      runtimeApi: `127.0.0.1:${this.port}`,
      region: this.config.region,
      logStreamName: this.streamName,
      tmpDir: this.tmpDir,
      initializationType: "on-demand",
      parentEnv: process.env,
    });
  }

  /** SIGTERM: workers stop taking connections, finish what runs (up to `drainMs`), then everything stops. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    for (const worker of this.workers) this.send(worker, { type: "drain" });
    this.handle.close();
    const until = Date.now() + drainMs;
    while (this.workers.size > 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 50));
    for (const worker of this.workers) worker.child.kill("SIGKILL");
    for (const dir of [this.tmpDir, this.createdTaskRoot])
      if (dir) rmSync(dir, { recursive: true, force: true });
  }

  private spawn(fn: WorkerFunction | undefined, lazyInit = false): Worker {
    const genericEnv: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      LANG: "en_US.UTF-8",
      TZ: ":UTC",
      TMPDIR: this.tmpDir,
    };
    if (process.env.HOME) genericEnv.HOME = process.env.HOME;
    const child = fork(join(hostsDir(), "node", "worker", "main.mjs"), [], {
      execPath: this.nodeBinary,
      execArgv: [],
      cwd: fn?.taskRoot ?? this.tmpDir,
      env: fn?.env ?? genericEnv,
      // stdout/stderr are the agent's own: function log lines go straight out, no copy through this process.
      stdio: ["ignore", "inherit", "inherit", "ipc", "pipe"],
    });
    const worker: Worker = { child, startedAt: Date.now(), retiring: false };
    this.workers.add(worker);
    (child.stdio[4] as Readable | null)?.on("data", (chunk: Buffer) => {
      worker.lastWords = chunk.toString("utf8").trim().split("\n").pop();
    });
    child.on("message", (message: FromWorker) => this.onMessage(worker, message));
    child.on("error", (err) => this.log.error({ err }, "host worker error"));
    child.on("exit", (code, signal) => {
      // The last-words pipe may still hold the watchdog's reason: 'close' comes once it is drained. A grandchild
      // holding the pipe open must not delay the restart, hence the bound.
      let handled = false;
      const proceed = (): void => {
        if (handled) return;
        handled = true;
        this.onExit(worker, code, signal);
      };
      child.once("close", proceed);
      setTimeout(proceed, 100);
    });
    this.send(
      worker,
      { type: "start", carry: this.counts, ...(fn ? { fn } : {}), ...(lazyInit ? { lazyInit } : {}) },
      this.handle,
    );
    return worker;
  }

  private send(worker: Worker, message: ToWorker, handle?: ListenHandle): void {
    if (!worker.child.connected) return;
    // A raw TCP handle is a valid sendHandle (node passes it as "net.Native"); the types only know net objects.
    worker.child.send(message, handle as never, (err) => {
      if (err) this.log.warn({ err: err.message, type: message.type }, "could not reach the host worker");
    });
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    switch (message.type) {
      case "ready":
        this.failedStarts = 0;
        if (!this.everReady) {
          this.everReady = true;
          this.onFirstReady?.();
        }
        break;
      case "specialize":
        this.onSpecialize(worker, message.id, message.body);
        break;
      case "initResult":
        this.onInitResult(worker, message);
        break;
      case "retire":
        if (worker === this.current) this.replace(worker, message.reason);
        break;
    }
  }

  private onInitResult(worker: Worker, result: InitResult): void {
    const specialization = this.specialization;
    if (!specialization) return;
    if (result.ok) {
      this.initErrorReported = false;
    } else if (!this.initErrorReported) {
      this.initErrorReported = true;
      this.counts.initErrors++;
      this.log.error({ function: specialization.label, error: result.error }, "function init failed");
      this.send(worker, { type: "carry", carry: this.counts });
    }
    if (!specialization.settled) {
      specialization.settled = true;
      this.log.info(
        { function: specialization.label, runtime: specialization.runtime, ok: result.ok },
        "specialized",
      );
      specialization.settle({
        ready: true,
        function: specialization.label,
        ...(result.ok ? {} : { initError: result.error }),
      });
    }
    const awaiting = this.awaitingFreshInit;
    if (awaiting && worker === this.current) {
      this.awaitingFreshInit = undefined;
      void specialization.answer.then((body) =>
        this.send(awaiting.worker, {
          type: "specialized",
          id: awaiting.id,
          status: 200,
          body,
          stepDown: true,
        }),
      );
    }
  }

  private onSpecialize(worker: Worker, id: number, text: string): void {
    const answer = (status: number, body: unknown): void =>
      this.send(worker, { type: "specialized", id, status, body });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return answer(400, {
        code: "BadRequest",
        message: "the body must be a JSON SpecializeRequest (see api/agent.ts)",
      });
    }
    const request = parseSpecializeRequest(parsed);
    if (!request.ok) return answer(400, { code: "BadRequest", message: request.message });
    const spec = request.spec;
    const current = this.specialization;
    if (current) {
      if (current.key === this.keyOf(spec)) {
        void current.answer.then((body) => answer(200, body));
        return;
      }
      return answer(409, {
        code: "AlreadySpecialized",
        message: `this instance already runs ${current.label}`,
      });
    }
    if (spec.runtime !== this.runtime) {
      return answer(400, {
        code: "BadRequest",
        message: `runtime ${spec.runtime} cannot run on this ${this.runtime} instance`,
      });
    }
    const prepared = this.prepare(spec);
    if (typeof prepared === "string") return answer(400, { code: "BadRequest", message: prepared });
    this.specialization = prepared;
    if (canUsePrimedHost(spec.runtime, spec.env)) {
      this.send(worker, { type: "become", id, fn: prepared.fn });
      return;
    }
    // Its env is read at process start (NODE_OPTIONS, ...): a fresh worker, which answers through this one.
    this.awaitingFreshInit = { worker, id };
    worker.retiring = true;
    this.current = this.spawn(prepared.fn);
  }

  private keyOf(spec: FunctionSpec): string {
    return JSON.stringify([spec.namespace, spec.name, spec.codeSha256 ?? null]);
  }

  /** Validates and lays out a function for a worker; a string is the bad request's message. */
  private prepare(spec: FunctionSpec): Specialization | string {
    let taskRoot: string;
    try {
      if (!this.config.taskRoot && "files" in spec.code) this.createdTaskRoot = createTempDir("kappa-task-");
      taskRoot = materializeCode(spec.code, this.config.taskRoot ?? this.createdTaskRoot ?? "");
    } catch (err) {
      if (err instanceof CodeError) return err.message;
      throw err;
    }
    const env = this.functionEnv(spec, taskRoot);
    const { promise, resolve } = deferred();
    const specialization: Specialization = {
      key: this.keyOf(spec),
      label: `${spec.namespace}/${spec.name}`,
      runtime: spec.runtime,
      fn: {
        namespace: spec.namespace,
        name: spec.name,
        handler: spec.handler,
        taskRoot,
        env,
        perInstance: spec.perInstance,
        timeoutSeconds: spec.timeoutSeconds,
        memoryMiB: spec.memoryMiB,
        initTimeoutMs: this.config.initTimeoutMs,
        arn: `arn:aws:lambda:${this.config.region}:${this.config.accountId}:function:${spec.name}`,
      },
      answer: promise,
      settle: resolve,
      settled: false,
    };
    return specialization;
  }

  /** The current worker gives way: it finishes what it runs while its successor takes new connections. */
  private replace(worker: Worker, reason: string): void {
    worker.retiring = true;
    this.countRestart(reason);
    this.current = this.spawn(this.specialization?.fn);
  }

  private countRestart(reason: string): void {
    const label = reason.split(" ")[0]!;
    this.counts.restarts[label] = (this.counts.restarts[label] ?? 0) + 1;
    this.log.warn(
      { function: this.specialization?.label ?? "(generic)", reason },
      "restarting the function process",
    );
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker);
    if (worker !== this.current || this.stopping) return;
    this.current = undefined;
    if (!this.everReady && ++this.failedStarts >= MAX_FAILED_STARTS) {
      this.log.fatal({ code, signal }, "the Node host worker cannot start");
      process.exit(1);
    }
    const reason = worker.lastWords === "timeout" ? "timeout" : `exit ${signal ?? code}`;
    this.countRestart(reason);
    this.quickExits = Date.now() - worker.startedAt < QUICK_EXIT_MS ? this.quickExits + 1 : 0;
    // An init that ended the process: the successor loads the function when an invoke is there to answer.
    const lazyInit = worker.lastWords === "init-exit";
    const restart = (): void => {
      if (!this.stopping) this.current = this.spawn(this.specialization?.fn, lazyInit);
    };
    if (this.quickExits >= 2) setTimeout(restart, RESTART_PAUSE_MS);
    else restart();
  }
}
