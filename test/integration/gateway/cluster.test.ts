// gateway/cluster.ts: the primary forks the workers, serves their summed metrics and readiness, restarts a
// worker that dies, and stops them all on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("./fixtures/cluster-gateway.ts", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One GET on a new connection (so successive calls can reach different workers); undefined if refused. */
function get(url: string): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

async function workerPids(port: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const reply = await get(`http://127.0.0.1:${port}/`);
    if (reply) pids.add(reply.text.split(" ")[0]!);
  }
  return pids;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("the cluster primary runs, sums, restarts and stops its gateway workers", async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const primary = spawn(process.execPath, ["--import", "tsx", fixture, String(port), String(metricsPort)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => primary.once("exit", resolve));
  try {
    const ops = `http://127.0.0.1:${metricsPort}`;
    await until("readiness", async () => ((await get(`${ops}/readyz`))?.status === 200 ? true : undefined));
    const metrics = await get(`${ops}/metrics`);
    assert.match(metrics!.text, /fixture_workers_started 2/);

    const pids = await until("both workers answering", async () => {
      const answered = await workerPids(port);
      return answered.size === 2 ? answered : undefined;
    });
    const [victim] = pids;
    process.kill(Number(victim), "SIGKILL");
    // The primary forks a replacement, which is counted instead of the dead one.
    await until("a restarted worker", async () => {
      const text = (await get(`${ops}/metrics`))?.text ?? "";
      if (!/fixture_workers_started 2/.test(text)) return undefined;
      const answered = await workerPids(port);
      return answered.size === 2 && !answered.has(victim!) ? true : undefined;
    });

    primary.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.equal(await get(`http://127.0.0.1:${port}/`), undefined);
  } finally {
    if (primary.exitCode === null) primary.kill("SIGKILL");
  }
});
