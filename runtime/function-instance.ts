// The instance's one function: specialization (generic -> this function), the concurrency slots and the
// dispatch of invocations onto them. A request beyond perInstance is refused at once, never queued.
import { randomFillSync } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { FunctionErrorBody } from "../api/agent.js";
import type { AgentConfig } from "./config.js";
import { buildLambdaEnv, logStreamName } from "./lambda-env.js";
import { canUsePrimedHost, hostCommand, primedPlan, runtimeDir, RuntimeUnavailable } from "./launch-plan.js";
import { LogTail } from "./log-capture.js";
import type { AgentMetrics } from "./metrics.js";
import type { InvocationEvent } from "./runtime-api.js";
import { Slot, type InvokeResult, type LaunchPlan } from "./slot.js";
import type { FunctionSpec } from "./specialize-request.js";
import { CodeError, createTempDir, materializeCode } from "./task-root.js";

export type SpecializeOutcome =
  | { status: 200; body: { ready: true; function: string; initError?: FunctionErrorBody } }
  | { status: 400 | 409; body: { code: string; message: string } };

export interface InvokeInput {
  requestId: string;
  deadlineMs?: number;
  invokedArn?: string;
  clientContext?: string;
  contentType: string;
  body: Buffer;
  tail: boolean;
}

export type InvokeOutcome =
  | { kind: "busy" }
  | { kind: "notReady" }
  | { kind: "done"; result: InvokeResult; logResult?: string; durationMs: number };

interface Specialized {
  spec: FunctionSpec;
  taskRoot: string;
  plan: (slot: Slot) => LaunchPlan;
  /** the function's ARN, the invokedArn when the gateway sends none */
  arn: string;
}

// Random bytes for trace ids, drawn 256 invocations at a time: one call per invoke costs more than the id.
const TRACE_BYTES = 20;
const tracePool = Buffer.alloc(TRACE_BYTES * 256);
let traceOffset = tracePool.length;

function traceId(): string {
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

export class FunctionInstance {
  private current: Specialized | undefined;
  private specializing: { key: string; done: Promise<SpecializeOutcome> } | undefined;
  private readonly slots: Slot[] = [];
  private readonly reserved: boolean[] = [];
  private tmpDir = "";
  private socketDir = "";
  private createdTaskRoot: string | undefined;
  private primed: Slot | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics,
    private readonly writeLine: (line: string) => void,
  ) {}

  /** Invocations running now. */
  get inflight(): number {
    return this.reserved.filter(Boolean).length;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  /** The generic host is up and waiting, so /specialize will not pay for a process start. */
  get primedHostWaiting(): boolean {
    return this.primed?.waitingForPrime ?? false;
  }

  get functionName(): string | undefined {
    return this.current ? `${this.current.spec.namespace}/${this.current.spec.name}` : undefined;
  }

  /** Starts the generic host of KAPPA_RUNTIME so that specialization does not pay for a process start. */
  async prewarm(): Promise<void> {
    this.tmpDir = createTempDir("kappa-tmp-");
    this.socketDir = createTempDir("kappa-rapi-");
    const runtime = this.config.runtime;
    if (!this.config.prewarm || !runtime || runtime === "provided" || this.config.function) return;
    const slot = this.newSlot("(generic)");
    await slot.open(this.socketPathFor(runtime, 0));
    try {
      await slot.start(primedPlan(this.config, runtime, slot, this.tmpDir, this.tmpDir));
      this.primed = slot;
    } catch (err) {
      this.log.warn({ err }, "could not prewarm the handler host");
      slot.close();
    }
  }

  specialize(spec: FunctionSpec): Promise<SpecializeOutcome> {
    const key = JSON.stringify([spec.namespace, spec.name, spec.codeSha256 ?? null]);
    if (this.specializing) {
      if (this.specializing.key === key) return this.specializing.done;
      return Promise.resolve({
        status: 409,
        body: { code: "AlreadySpecialized", message: `this instance already runs ${this.describe()}` },
      });
    }
    const done = this.doSpecialize(spec);
    this.specializing = { key, done };
    done.then(
      (outcome) => {
        if (outcome.status !== 200 && this.specializing?.done === done) this.specializing = undefined;
      },
      () => (this.specializing = undefined),
    );
    return done;
  }

  async invoke(input: InvokeInput): Promise<InvokeOutcome> {
    const current = this.current;
    if (!current) return { kind: "notReady" };
    const index = this.reserveSlot(current.spec.perInstance);
    if (index === undefined) return { kind: "busy" };
    const started = performance.now();
    const tail = input.tail ? new LogTail() : undefined;
    tail?.append(`START RequestId: ${input.requestId} Version: $LATEST`);
    try {
      const slot = this.slots[index] ?? (await this.slotAt(index, current));
      const event: InvocationEvent = {
        requestId: input.requestId,
        deadlineMs: input.deadlineMs ?? Date.now() + current.spec.timeoutSeconds * 1000,
        invokedArn: input.invokedArn ?? current.arn,
        traceId: traceId(),
        ...(input.clientContext ? { clientContext: input.clientContext } : {}),
        contentType: input.contentType,
        body: input.body,
      };
      const result = await slot.invoke(event, current.spec.timeoutSeconds, tail);
      const durationMs = performance.now() - started;
      if (tail) {
        if (!result.ok) tail.append(JSON.stringify(result.error));
        tail.append(`END RequestId: ${input.requestId}`);
        tail.append(
          `REPORT RequestId: ${input.requestId}\tDuration: ${durationMs.toFixed(2)} ms\t` +
            `Billed Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${current.spec.memoryMiB} MB`,
        );
      }
      return { kind: "done", result, durationMs, ...(tail ? { logResult: tail.base64() } : {}) };
    } finally {
      this.reserved[index] = false;
    }
  }

  close(): void {
    for (const slot of this.slots) slot.close();
    this.primed?.close();
    for (const dir of [this.socketDir, this.tmpDir, this.createdTaskRoot]) {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  private describe(): string {
    return this.functionName ?? "another function";
  }

  private async doSpecialize(spec: FunctionSpec): Promise<SpecializeOutcome> {
    const bad = (message: string): SpecializeOutcome => ({
      status: 400,
      body: { code: "BadRequest", message },
    });
    if (this.config.runtime && this.config.runtime !== spec.runtime) {
      return bad(`runtime ${spec.runtime} cannot run on this ${this.config.runtime} instance`);
    }
    const started = performance.now();
    let taskRoot: string;
    try {
      if (!this.config.taskRoot && "files" in spec.code) this.createdTaskRoot = createTempDir("kappa-task-");
      taskRoot = materializeCode(spec.code, this.config.taskRoot ?? this.createdTaskRoot ?? "");
      hostCommand(this.config, spec.runtime, taskRoot);
    } catch (err) {
      if (err instanceof CodeError || err instanceof RuntimeUnavailable) return bad(err.message);
      throw err;
    }
    const label = `${spec.namespace}/${spec.name}`;
    const streamName = logStreamName(new Date(), this.config.instanceId);
    const plan = (slot: Slot): LaunchPlan => {
      const [command, args] = hostCommand(this.config, spec.runtime, taskRoot);
      const env = buildLambdaEnv({
        fn: spec,
        taskRoot,
        runtimeDir: runtimeDir(spec.runtime),
        runtimeApi: slot.runtimeApi,
        region: this.config.region,
        logStreamName: streamName,
        tmpDir: this.tmpDir,
        initializationType: "on-demand",
        parentEnv: process.env,
      });
      const socket = slot.runtimeApiSocket;
      return {
        command,
        args,
        cwd: taskRoot,
        env: socket ? { ...env, KAPPA_RUNTIME_API_SOCKET: socket } : env,
      };
    };
    const arn = `arn:aws:lambda:${this.config.region}:${this.config.accountId}:function:${spec.name}`;
    const specialized: Specialized = { spec, taskRoot, plan, arn };
    const primed = this.primed;
    this.primed = undefined;
    let slot: Slot;
    let init;
    if (primed && primed.runtimeApi && canUsePrimedHost(spec.runtime, spec.env)) {
      slot = primed;
      slot.logs.rename(label);
      const launch = plan(slot);
      init = await slot.specialize({ env: launch.env, cwd: taskRoot }, launch);
    } else {
      primed?.close();
      slot = this.newSlot(label);
      await slot.open(this.socketPathFor(spec.runtime, 0));
      init = await slot.start(plan(slot));
    }
    this.slots[0] = slot;
    this.reserved[0] = false;
    this.current = specialized;
    this.metrics.specializeDuration.observe((performance.now() - started) / 1000);
    this.log.info({ function: label, runtime: spec.runtime, ok: init.ok }, "specialized");
    return {
      status: 200,
      body: { ready: true, function: label, ...(init.ok ? {} : { initError: init.error }) },
    };
  }

  private reserveSlot(perInstance: number): number | undefined {
    for (let i = 0; i < perInstance; i++) {
      if (!this.reserved[i]) {
        this.reserved[i] = true;
        return i;
      }
    }
    return undefined;
  }

  /** Slots beyond the first start on first use, so perInstance: 50 does not mean 50 idle processes. */
  private async slotAt(index: number, current: Specialized): Promise<Slot> {
    const existing = this.slots[index];
    if (existing) return existing;
    const slot = this.newSlot(`${current.spec.namespace}/${current.spec.name}`);
    this.slots[index] = slot;
    await slot.open(this.socketPathFor(current.spec.runtime, index));
    void slot.start(current.plan(slot));
    return slot;
  }

  /** Only the built-in Node host knows KAPPA_RUNTIME_API_SOCKET; everything else uses AWS_LAMBDA_RUNTIME_API. */
  private socketPathFor(runtime: FunctionSpec["runtime"], index: number): string | undefined {
    if (runtime !== "nodejs20" && runtime !== "nodejs22") return undefined;
    return join(this.socketDir, `${index}.sock`);
  }

  private newSlot(label: string): Slot {
    return new Slot(this.config.initTimeoutMs, label, this.writeLine, {
      initFailed: (error) => {
        this.metrics.initErrors.inc();
        this.log.error({ function: this.functionName ?? label, error }, "function init failed");
      },
      restarted: (reason) => {
        this.metrics.restarts.inc({ reason: reason.split(" ")[0] });
        this.log.warn({ function: this.functionName ?? label, reason }, "restarting the function process");
      },
    });
  }
}
