// Entry point of the runtime agent that runs in every function instance (see api/agent.ts and docs/runtime.md).
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createAgentServer } from "./agent-server.js";
import { ConfigError, loadConfig, type AgentConfig } from "./config.js";
import { FunctionInstance } from "./function-instance.js";
import { AgentMetrics } from "./metrics.js";

const log = pino({ base: { component: "runtime-agent" } });

let config: AgentConfig;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  log.fatal({ problem: err.message }, "bad configuration");
  process.exit(2);
}

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

// Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds (30 s by default) before SIGKILL: stop taking
// requests, let running invocations finish within that bound, then stop the function processes.
const DRAIN_MS = 25_000;

async function shutdown(signal: string): Promise<void> {
  log.info({ signal, inflight: instance.inflight }, "shutting down");
  server.close();
  server.closeIdleConnections();
  const until = Date.now() + DRAIN_MS;
  while (instance.inflight > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  instance.close();
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
let stopping = false;
function onSignal(signal: string): void {
  if (stopping) return;
  stopping = true;
  void shutdown(signal);
}
process.on("SIGTERM", () => onSignal("SIGTERM"));
process.on("SIGINT", () => onSignal("SIGINT"));
