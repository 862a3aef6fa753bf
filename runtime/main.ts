// Entry point of the runtime agent that runs in every function instance (see api/agent.ts and docs/runtime.md).
// Node functions (a nodejs20/nodejs22 instance) take the fast path: this process supervises one host worker
// that serves the API and runs the handler itself (host-supervisor.ts). Everything else, and Node with
// KAPPA_NODE_HOST=runtime-api, is served here, with handler processes behind the Runtime API.
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createAgentServer } from "./agent-server.js";
import { ConfigError, loadConfig, type AgentConfig } from "./config.js";
import { FunctionInstance } from "./function-instance.js";
import { HostSupervisor } from "./host-supervisor.js";
import { bindListenHandle, ListenError } from "./listen-handle.js";
import { AgentMetrics } from "./metrics.js";
import { CodeError } from "./task-root.js";

const log = pino({ base: { component: "runtime-agent" } });

let config: AgentConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  log.fatal({ problem: err.message }, "bad configuration");
  process.exit(2);
}

// Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds (30 s by default) before SIGKILL: stop taking
// requests, let running invocations finish within that bound, then stop the function processes.
const DRAIN_MS = 25_000;

function onSignals(shutdown: (signal: string) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    void shutdown(signal);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

function nodeFastPath(config: AgentConfig): { runtime: "nodejs20" | "nodejs22"; binary: string } | undefined {
  const runtime = config.function?.runtime ?? config.runtime;
  if (config.nodeHost !== "in-process" || (runtime !== "nodejs20" && runtime !== "nodejs22"))
    return undefined;
  const binary = config.nodeBinaries[runtime];
  return binary ? { runtime, binary } : undefined;
}

async function runSupervisor(fast: { runtime: "nodejs20" | "nodejs22"; binary: string }): Promise<void> {
  let bound;
  try {
    bound = bindListenHandle(config.host, config.port);
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    log.fatal({ problem: err.message }, "cannot listen");
    process.exit(2);
  }
  const supervisor = new HostSupervisor(config, log, bound.handle, bound.port, fast.runtime, fast.binary);
  onSignals(async (signal) => {
    log.info({ signal }, "shutting down");
    await supervisor.stop(DRAIN_MS);
    process.exit(0);
  });
  try {
    await supervisor.start();
  } catch (err) {
    if (!(err instanceof CodeError)) throw err;
    log.fatal({ problem: err.message }, "KAPPA_FUNCTION could not be loaded");
    await supervisor.stop(0);
    process.exit(2);
  }
  log.info(
    { port: bound.port, host: config.host, runtime: fast.runtime, host_worker: "in-process" },
    "listening",
  );
}

async function runAgent(): Promise<void> {
  const metrics = new AgentMetrics();
  const instance = new FunctionInstance(config, log, metrics, (line) => process.stdout.write(line));
  await instance.prewarm();
  if (config.function) {
    const outcome = await instance.specialize(config.function);
    if (outcome.status !== 200) {
      log.fatal({ problem: outcome.body }, "KAPPA_FUNCTION could not be loaded");
      instance.close();
      process.exit(2);
    }
  }

  const server = createAgentServer(instance, metrics, log);
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    log.info({ port, host: config.host, runtime: config.runtime ?? "any" }, "listening");
  });

  onSignals(async (signal) => {
    log.info({ signal, inflight: instance.inflight }, "shutting down");
    server.close();
    server.closeIdleConnections();
    const until = Date.now() + DRAIN_MS;
    while (instance.inflight > 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 50));
    instance.close();
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  });
}

const fast = nodeFastPath(config);
if (fast) await runSupervisor(fast);
else await runAgent();
