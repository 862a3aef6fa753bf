// A real Redis for tests. Two ways to get one, both the real server:
// 1. testcontainers with the locally built image `kappa-test/redis:*` (test/images/docker-up.sh), when a Docker
//    engine answers (DOCKER_HOST, or the one named in ~/.kappa/docker.env) and such an image exists. No image can be
//    pulled on these machines, so Ryuk (the reaper image) is disabled and we stop containers ourselves.
// 2. Otherwise the Debian `redis-server` binary spawned on a free 127.0.0.1 port with its own temp dir. This is the
//    common case on a developer machine without Docker, and it is faster to start.
// Both bind a fixed host port for the life of the handle so `restart()` keeps the URL stable and clients reconnect.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export interface StartRedisOptions {
  /** Turn on the append-only file (for durability tests). Default false: nothing is persisted. */
  appendonly?: boolean;
  /** AOF fsync policy when appendonly is on. Default "everysec". */
  appendfsync?: "always" | "everysec" | "no";
}

export interface RestartOptions {
  /** SIGTERM lets Redis shut down cleanly (it flushes the AOF); SIGKILL simulates a crash. Default SIGTERM. */
  signal?: "SIGTERM" | "SIGKILL";
}

export interface TestRedis {
  url: string;
  port: number;
  /** Which of the two ways above provided this server. */
  kind: "container" | "process";
  stop(): Promise<void>;
  restart(options?: RestartOptions): Promise<void>;
}

/** A per-test unique key prefix so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(name = "t"): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const image = await findLocalRedisImage();
  if (image) {
    try {
      return await startContainer(image, options);
    } catch {
      // The engine answered but the container would not start: the binary is just as real.
    }
  }
  return startRedisProcess(options);
}

function redisArgs(port: number, options: StartRedisOptions): string[] {
  return [
    "--port",
    String(port),
    "--save",
    "",
    "--appendonly",
    options.appendonly ? "yes" : "no",
    "--appendfsync",
    options.appendfsync ?? "everysec",
    "--protected-mode",
    "no",
  ];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis on 127.0.0.1:${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    // While loading the AOF Redis answers -LOADING; only +PONG means ready.
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

const liveProcesses = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveProcesses) child.kill("SIGKILL");
});

/** Way 2 alone: the `redis-server` binary, for tests that must not depend on a Docker engine. */
export async function startRedisProcess(options: StartRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "kappa-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    const started = spawn(
      "redis-server",
      [...redisArgs(port, options), "--bind", "127.0.0.1", "--dir", dir],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    liveProcesses.add(started);
    started.once("exit", () => liveProcesses.delete(started));
    child = started;
    await waitForPing(port, 15_000);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    // Bounded: if Redis does not exit within 5 s of the signal, kill it; never wait forever in a test's after().
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => running.kill("SIGKILL"), 5_000);
      const giveUp = setTimeout(resolve, 7_000);
      running.once("exit", () => {
        clearTimeout(force);
        clearTimeout(giveUp);
        resolve();
      });
      running.kill(signal);
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kind: "process",
    async stop() {
      await halt("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(restartOptions = {}) {
      await halt(restartOptions.signal ?? "SIGTERM");
      await launch();
    },
  };
}

function dockerHost(): string | undefined {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const envFile = join(homedir(), ".kappa", "docker.env");
  if (!existsSync(envFile)) return undefined;
  const match = /^(?:export\s+)?DOCKER_HOST=["']?([^"'\n]+)/m.exec(readFileSync(envFile, "utf8"));
  return match?.[1];
}

async function findLocalRedisImage(): Promise<string | undefined> {
  const host = dockerHost();
  if (!host) return undefined;
  process.env.DOCKER_HOST = host;
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    const client = await getContainerRuntimeClient();
    const images = await client.container.dockerode.listImages({
      filters: { reference: ["kappa-test/redis"] },
    });
    const tag = images.flatMap((i) => i.RepoTags ?? []).find((t) => t.startsWith("kappa-test/redis:"));
    return tag;
  } catch {
    return undefined;
  }
}

async function startContainer(image: string, options: StartRedisOptions): Promise<TestRedis> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const port = await freePort();
  const container = await new GenericContainer(image)
    .withExposedPorts({ container: 6379, host: port })
    .withCommand(["redis-server", ...redisArgs(6379, options), "--dir", "/data"])
    .withWaitStrategy(Wait.forListeningPorts())
    .start();
  await waitForPing(port, 15_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kind: "container",
    async stop() {
      await container.stop({ remove: true, removeVolumes: true });
    },
    async restart(restartOptions = {}) {
      if (restartOptions.signal === "SIGKILL") {
        await container.exec(["sh", "-c", "kill -9 1"]).catch(() => undefined);
      }
      await container.restart();
      await waitForPing(port, 15_000);
    },
  };
}
