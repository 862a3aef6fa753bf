// Local mode's instance backend: every instance is a child process of the runtime agent on 127.0.0.1 and a free
// port (KAPPA_AGENT_PORT=0; the agent prints {"msg":"listening","port":N}), with its own TMPDIR, its output collected
// into per-function log files, stopped by pid. A crash is reported as an unexpected "exited" event; the controller
// replaces the instance.
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { SpecializeRequest } from "../../api/agent.js";
import { probe, specializeAgent, waitFor } from "./agent-client.js";
import type {
  InstanceBackend,
  InstanceEvent,
  InstanceSpec,
  InstanceStatus,
  StopOptions,
} from "./instance-backend.js";
import { LogFiles, POOL_LOG_NAMESPACE } from "./instance-logs.js";

export interface AgentCommand {
  command: string;
  args: string[];
}

export interface LocalProcessBackendOptions {
  /** instance temp dirs go to <stateDir>/instances/<id> */
  stateDir: string;
  /** per-function log files: <logsDir>/<ns>/<name>.log; default <stateDir>/logs */
  logsDir?: string;
  logger: Logger;
  /** how to run the agent; default: node dist/runtime/main.js when built, else node --import tsx runtime/main.ts */
  agentCommand?: AgentCommand;
  /** extra environment for every instance */
  env?: Record<string, string>;
  /** a node process with tsx needs ~1 s on a busy 2-core machine; 30 s covers a cold disk cache */
  startTimeoutMs?: number;
  /** how often ready instances are probed on /readyz; default 2 s */
  healthCheckIntervalMs?: number;
}

/**
 * A ready instance failing /readyz this many probes in a row is killed and reported as crashed (then replaced):
 * one failed probe can be a long GC pause; three (6 s by default) is an instance that stopped serving.
 */
const UNHEALTHY_PROBES = 3;

/** How long stop() waits for in-flight invocations after SIGTERM before SIGKILL, unless the caller says otherwise. */
const DEFAULT_STOP_GRACE_MS = 5_000;
const READY_AFTER_SPECIALIZE_TIMEOUT_MS = 10_000;
/** stderr kept per instance so a failed start can say why */
const STDERR_TAIL_CHARS = 2_000;

interface LocalInstance {
  status: InstanceStatus;
  failedProbes: number;
  child: ChildProcess;
  dir: string;
  stopping: boolean;
  exited: Promise<void>;
  stderrTail: string;
}

export function defaultAgentCommand(): AgentCommand {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const built = join(root, "runtime", "main.js");
  if (existsSync(built)) return { command: process.execPath, args: [built] };
  return {
    command: process.execPath,
    args: ["--import", import.meta.resolve("tsx"), join(root, "runtime", "main.ts")],
  };
}

export class LocalProcessBackend implements InstanceBackend {
  readonly kind = "local-process";
  readonly ephemeral = true;
  private readonly instances = new Map<string, LocalInstance>();
  private readonly events = new EventEmitter();
  private readonly logs: LogFiles;
  private readonly agent: AgentCommand;
  private readonly killAllOnExit = () => {
    for (const instance of this.instances.values()) instance.child.kill("SIGKILL");
  };

  private healthTimer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(private readonly options: LocalProcessBackendOptions) {
    this.logs = new LogFiles(options.logsDir ?? join(options.stateDir, "logs"));
    this.agent = options.agentCommand ?? defaultAgentCommand();
    process.once("exit", this.killAllOnExit);
    this.healthTimer = setInterval(() => void this.sweep(), options.healthCheckIntervalMs ?? 2_000);
    this.healthTimer.unref();
  }

  /** Probes ready instances one after another (bounded: one probe in flight, 2 s timeout each). */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const instance of [...this.instances.values()]) {
        if (instance.status.phase !== "ready" || instance.stopping || !instance.status.url) continue;
        if (await probe(instance.status.url, "/readyz")) {
          instance.failedProbes = 0;
          continue;
        }
        if (++instance.failedProbes < UNHEALTHY_PROBES || instance.stopping) continue;
        this.options.logger.warn(
          { instance: instance.status.id, owner: instance.status.owner },
          "instance stopped answering /readyz; killing it",
        );
        instance.child.kill("SIGKILL");
      }
    } finally {
      this.sweeping = false;
    }
  }

  async start(spec: InstanceSpec): Promise<InstanceStatus> {
    if (this.instances.has(spec.id)) throw new Error(`instance ${spec.id} already exists`);
    const dir = join(this.options.stateDir, "instances", spec.id);
    const tmp = join(dir, "tmp");
    mkdirSync(tmp, { recursive: true });
    const child = spawn(this.agent.command, this.agent.args, {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...this.options.env,
        KAPPA_AGENT_PORT: "0",
        KAPPA_AGENT_HOST: "127.0.0.1",
        KAPPA_INSTANCE_ID: spec.id,
        // lets the agent prewarm its handler host, so specializing a warm instance skips the process spawn
        KAPPA_RUNTIME: spec.runtime,
        TMPDIR: tmp,
      },
    });
    const status: InstanceStatus = {
      id: spec.id,
      runtime: spec.runtime,
      memoryMiB: spec.memoryMiB,
      phase: "starting",
      owner: spec.owner,
      revision: spec.revision,
      startedAt: Date.now(),
      pid: child.pid,
    };
    const instance: LocalInstance = {
      status,
      child,
      dir,
      stopping: false,
      failedProbes: 0,
      stderrTail: "",
      exited: new Promise((resolve) => child.once("close", () => resolve())),
    };
    this.instances.set(spec.id, instance);

    const listening = new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) =>
        reject(
          new Error(
            `agent exited before listening (code ${code}, signal ${signal}): ${instance.stderrTail.trim()}`,
          ),
        ),
      );
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const port = listeningPort(line);
        if (port !== undefined) resolve(port);
        this.writeLog(instance, line, "stdout");
      });
    });
    listening.catch(() => undefined); // observed below; after a timeout its late rejection is expected
    createInterface({ input: child.stderr! }).on("line", (line) => {
      instance.stderrTail = (instance.stderrTail + line + "\n").slice(-STDERR_TAIL_CHARS);
      this.writeLog(instance, line, "stderr");
    });
    child.once("close", (code, signal) => this.onExit(instance, code, signal));

    try {
      const timeoutMs = this.options.startTimeoutMs ?? 30_000;
      const port = await withTimeout(
        listening,
        timeoutMs,
        `agent did not print its port within ${timeoutMs} ms`,
      );
      status.url = `http://127.0.0.1:${port}`;
      if (!(await waitFor(() => probe(status.url!, "/healthz"), timeoutMs))) {
        throw new Error(`agent on ${status.url} did not answer /healthz within ${timeoutMs} ms`);
      }
    } catch (error) {
      await this.stop(spec.id, { graceMs: 0 });
      throw new Error(`instance ${spec.id} did not start: ${(error as Error).message}`);
    }
    if (status.phase !== "starting") throw new Error(`instance ${spec.id} exited while starting`);
    status.phase = "started";
    this.emit({ type: "started", instance: { ...status } });
    return { ...status };
  }

  async specialize(id: string, request: SpecializeRequest, revision: string): Promise<InstanceStatus> {
    const instance = this.instances.get(id);
    if (!instance || !instance.status.url) throw new Error(`instance ${id} is not running`);
    const { status } = instance;
    status.owner = { namespace: request.namespace, name: request.name };
    status.revision = revision;
    status.codeSha256 = request.codeSha256;
    status.perInstance = request.perInstance ?? 1;
    const result = await specializeAgent(status.url!, request);
    status.initError = result.initError;
    if (!(await waitFor(() => probe(status.url!, "/readyz"), READY_AFTER_SPECIALIZE_TIMEOUT_MS))) {
      throw new Error(`instance ${id} specialized but /readyz did not answer 200`);
    }
    if (status.phase === "exited") throw new Error(`instance ${id} exited while specializing`);
    status.phase = "ready";
    status.readySince = Date.now();
    this.emit({ type: "ready", instance: { ...status } });
    return { ...status };
  }

  async stop(id: string, options: StopOptions = {}): Promise<void> {
    const instance = this.instances.get(id);
    if (!instance) return;
    instance.stopping = true;
    const { child } = instance;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const graceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await instance.exited;
      clearTimeout(timer);
    } else {
      await instance.exited;
    }
  }

  list(): InstanceStatus[] {
    return [...this.instances.values()]
      .filter((i) => i.status.phase !== "exited")
      .map((i) => ({ ...i.status }));
  }

  get(id: string): InstanceStatus | undefined {
    const instance = this.instances.get(id);
    return instance && instance.status.phase !== "exited" ? { ...instance.status } : undefined;
  }

  watch(listener: (event: InstanceEvent) => void): () => void {
    this.events.on("event", listener);
    return () => this.events.off("event", listener);
  }

  async close(): Promise<void> {
    clearInterval(this.healthTimer);
    await Promise.all([...this.instances.keys()].map((id) => this.stop(id, { graceMs: 2_000 })));
    process.off("exit", this.killAllOnExit);
    await this.logs.close();
  }

  private onExit(instance: LocalInstance, code: number | null, signal: NodeJS.Signals | null): void {
    const { status } = instance;
    status.phase = "exited";
    this.instances.delete(status.id);
    rmSync(instance.dir, { recursive: true, force: true });
    const expected = instance.stopping;
    const reason = expected ? "stopped" : `exited with code ${code}, signal ${signal}`;
    if (!expected) {
      this.options.logger.warn(
        { instance: status.id, owner: status.owner, code, signal },
        "instance crashed",
      );
      this.writeLog(
        instance,
        JSON.stringify({ level: 50, msg: `instance ${status.id} ${reason}` }),
        "platform",
      );
    }
    this.emit({ type: "exited", instance: { ...status }, expected, reason });
  }

  private writeLog(instance: LocalInstance, line: string, stream: string): void {
    const { owner, runtime, id } = instance.status;
    const extra = { instance: id, stream };
    if (owner) this.logs.write(owner.namespace, owner.name, line, extra);
    else this.logs.write(POOL_LOG_NAMESPACE, runtime, line, extra);
  }

  private emit(event: InstanceEvent): void {
    this.events.emit("event", event);
  }
}

function listeningPort(line: string): number | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return parsed.msg === "listening" && typeof parsed.port === "number" ? parsed.port : undefined;
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
