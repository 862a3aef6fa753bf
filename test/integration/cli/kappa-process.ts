// Runs the real `kappa` binary (bin/kappa.js, the build in dist/) as a child process: what `npx kappa` runs.
// scripts/run-tests.mjs rebuilds before the integration suite when a source is newer than the build. Each test
// gets its own --home, so its `kappa dev` state file, redis data and logs never meet another test's.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const kappaBin = join(repoRoot, "bin", "kappa.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  delete env.KAPPA_HOME;
  delete env.REDIS_URL;
  return env;
};

export function kappaArgs(args: string[]): string[] {
  return [kappaBin, ...args];
}

/** Runs `kappa <args>` to completion. */
export function runKappa(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, kappaArgs(args), {
      cwd: options.cwd ?? repoRoot,
      env: { ...baseEnv(), ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface DevProcess {
  home: string;
  child: ChildProcess;
  state: DevStateView;
  output(): string;
  /** runs `kappa --home <this home> <args>` */
  kappa(args: string[], options?: RunOptions): Promise<RunResult>;
  /** SIGTERM and wait for the exit; returns the exit code (idempotent) */
  stop(): Promise<number | null>;
  /** stop, then remove the home folder */
  dispose(): Promise<void>;
}

export interface DevStateView {
  pid: number;
  dir: string;
  httpUrl: string;
  apiUrl: string;
  adminUrl: string;
  adminToken: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  redisUrl: string;
  logsDir: string;
}

/** `kappa dev` needs a few seconds to start everything; a minute is the bound on a loaded 2-core machine. */
const DEV_START_TIMEOUT_MS = 60_000;

export function newHome(): string {
  return mkdtempSync(join(tmpdir(), "kappa-cli-test-"));
}

/** Every `kappa dev` a test started; killed when the test process ends, even after a failed or timed-out test. */
const started = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGTERM");
});

/** Starts `kappa dev --dir <dir> --port 0 --api-port 0` with a private home and waits for its state file. */
export async function startDev(
  dir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<DevProcess> {
  const home = newHome();
  const child = spawn(
    process.execPath,
    kappaArgs(["--home", home, "dev", "--dir", dir, "--port", "0", "--api-port", "0", ...extraArgs]),
    {
      cwd: repoRoot,
      env: { ...baseEnv(), ...env },
    },
  );
  started.add(child);
  child.on("exit", () => started.delete(child));
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const statePath = join(home, "dev", "state.json");
  const deadline = Date.now() + DEV_START_TIMEOUT_MS;
  let state: DevStateView | undefined;
  while (!state) {
    if (child.exitCode !== null) throw new Error(`kappa dev exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`kappa dev did not write ${statePath} within ${DEV_START_TIMEOUT_MS} ms:\n${output}`);
    }
    try {
      state = JSON.parse(readFileSync(statePath, "utf8")) as DevStateView;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const dev: DevProcess = {
    home,
    child,
    state,
    output: () => output,
    kappa: (args, options) => runKappa(["--home", home, ...args], options),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    dispose: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(home, { recursive: true, force: true });
    },
  };
  return dev;
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
