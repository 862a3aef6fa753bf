// A private redis-server for local mode: started on a free 127.0.0.1 port with its data in a folder we own,
// stopped by pid on shutdown. When no redis-server is installed, the error says exactly how to get one.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { CliError } from "../errors.js";
import { freePort } from "./free-port.js";

export interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  "local mode needs Redis and none was found. Install one:\n" +
  "  Debian/Ubuntu: sudo apt-get install redis-server\n" +
  "  macOS:         brew install redis\n" +
  "or point Kappa at a running one with --redis-url redis://host:6379 (or REDIS_URL).";

/** The redis-server binary on PATH (or at `explicit`), or undefined. */
export function findRedisServer(explicit?: string): string | undefined {
  const candidate = explicit ?? "redis-server";
  const probe = spawnSync(candidate, ["--version"], { stdio: "ignore", timeout: 5000 });
  return probe.status === 0 ? candidate : undefined;
}

/** Redis answers within a second or two on any machine; 10 s leaves room for a loaded CI box. */
const START_TIMEOUT_MS = 10_000;

export async function startPrivateRedis(options: {
  dataDir: string;
  binary?: string;
}): Promise<PrivateRedis> {
  const binary = findRedisServer(options.binary);
  if (!binary) throw new CliError(REDIS_INSTALL_HINT);
  mkdirSync(options.dataDir, { recursive: true });
  // A port taken between the probe and redis' bind is rare; one retry with a fresh port covers it.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        options.dataDir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
        "--loglevel",
        "warning",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const started = await waitForRedis(child, port);
    if (started) {
      // Whatever way this process ends (a crash included), its private redis must not outlive it.
      const killOnExit = () => child.kill("SIGKILL");
      process.once("exit", killOnExit);
      const stop = async () => {
        await stopChild(child);
        process.off("exit", killOnExit);
      };
      return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
    }
    await stopChild(child);
    if (attempt >= 1)
      throw new CliError(`redis-server did not start on 127.0.0.1:${port}: ${stderr.trim() || "no output"}`);
  }
}

async function waitForRedis(child: ChildProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    if (await ping(port)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(500);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** SIGTERM, then SIGKILL if redis has not exited within 5 s. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
