// How a function process is started for each runtime: the built-in Node and Python hosts (small runtime
// interface clients of the agent's Runtime API), or a custom runtime's bootstrap.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig, RuntimeName } from "./config.js";
import type { LaunchPlan, Slot } from "./slot.js";

/** The built-in hosts live in runtime/hosts/ (also when this module runs compiled from dist/runtime/). */
export function hostsDir(): string {
  const candidates = [
    fileURLToPath(new URL("./hosts/", import.meta.url)),
    fileURLToPath(new URL("../../runtime/hosts/", import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(join(dir, "node", "index.mjs"))) ?? candidates[0]!;
}

export class RuntimeUnavailable extends Error {}

export function runtimeDir(runtime: RuntimeName): string {
  if (runtime === "python3.11") return join(hostsDir(), "python");
  if (runtime === "provided") return "/opt";
  return join(hostsDir(), "node");
}

/** Command and arguments for a runtime; throws RuntimeUnavailable with the fix when it cannot run here. */
export function hostCommand(config: AgentConfig, runtime: RuntimeName, taskRoot: string): [string, string[]] {
  if (runtime === "nodejs20" || runtime === "nodejs22") {
    const bin = config.nodeBinaries[runtime];
    if (!bin) {
      const variable = runtime === "nodejs20" ? "KAPPA_NODE20_BIN" : "KAPPA_NODE22_BIN";
      throw new RuntimeUnavailable(`runtime ${runtime} has no node binary on this instance: set ${variable}`);
    }
    return [bin, [join(hostsDir(), "node", "index.mjs")]];
  }
  if (runtime === "python3.11")
    return [config.pythonBinary, ["-u", join(hostsDir(), "python", "bootstrap.py")]];
  if (config.bootstrapCommand) return [config.bootstrapCommand[0]!, config.bootstrapCommand.slice(1)];
  return [join(taskRoot, "bootstrap"), []];
}

/** Whether a process started before the function was known can become it (env read at process start differs). */
export function canUsePrimedHost(runtime: RuntimeName, env: Record<string, string>): boolean {
  if (runtime === "provided") return false;
  return !Object.keys(env).some((key) => /^(NODE_|PYTHON|LD_|UV_)/.test(key));
}

export function primedPlan(
  config: AgentConfig,
  runtime: RuntimeName,
  slot: Pick<Slot, "runtimeApi" | "runtimeApiSocket">,
  cwd: string,
  tmpDir: string,
): LaunchPlan {
  const [command, args] = hostCommand(config, runtime, cwd);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    TMPDIR: tmpDir,
    AWS_LAMBDA_RUNTIME_API: slot.runtimeApi,
    KAPPA_HOST_PRIME: "1",
  };
  if (slot.runtimeApiSocket) env.KAPPA_RUNTIME_API_SOCKET = slot.runtimeApiSocket;
  if (process.env.HOME) env.HOME = process.env.HOME;
  return { command, args, cwd, env, primed: true };
}
