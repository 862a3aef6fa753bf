// gateway/cluster.ts: the primary forks the workers, serves their summed metrics and readiness, restarts a
// worker that dies, and stops them all on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_V8_OPTIONS, gatewayFlags } from "../../../gateway/v8-flags.js";

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
    // A connection node:cluster handed to a worker in the moment it died is never answered: give up on it.
    const req = request(url, { agent: false, timeout: 2_000 }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("timeout", () => req.destroy());
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

/** The status of the next reply on a raw keep-alive connection; undefined if it closes first. */
function nextStatus(socket: Socket): Promise<number | undefined> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      socket.off("close", onClose);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString("latin1"))?.[1]));
    };
    const onClose = () => {
      socket.off("data", onData);
      resolve(undefined);
    };
    socket.once("data", onData);
    socket.once("close", onClose);
  });
}

/** The process state letter from /proc (Linux): T stopped, Z ended but not yet reaped. */
const stateOf = (pid: number) => / ([A-Za-z]) /.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A scrape that reaches the primary after a worker died but before the primary saw it go. The primary is stopped
 * while the scrape is sent and the worker killed, so on waking it reads the scrape before the worker's channel
 * closing (most of the time: the order is the kernel's), and writes to that channel: EPIPE. Resolves once the
 * primary runs again, with the scrape's status to come.
 */
async function killDuringScrape(primaryPid: number, metricsPort: number, victim: number) {
  const socket = connect(metricsPort, "127.0.0.1");
  const scrape = `GET /metrics HTTP/1.1\r\nHost: ops\r\n\r\n`;
  socket.write(scrape);
  assert.equal(await nextStatus(socket), 200);
  const status = nextStatus(socket);
  process.kill(primaryPid, "SIGSTOP");
  try {
    await until("the primary to stop", async () => (stateOf(primaryPid) === "T" ? true : undefined));
    socket.write(scrape);
    process.kill(victim, "SIGKILL");
    await until("the killed worker to end", async () => (stateOf(victim) === "Z" ? true : undefined));
  } finally {
    process.kill(primaryPid, "SIGCONT");
  }
  return { socket, status };
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
    // Each worker runs with the gateway's V8 flags, after the primary's own (tsx's loader).
    const workerFlags = (await get(`http://127.0.0.1:${port}/`))!.text.split(" ").slice(2);
    assert.deepEqual(workerFlags, ["--import", "tsx", ...gatewayFlags(DEFAULT_V8_OPTIONS)]);
    // A worker's IPC failure is logged, not thrown: the primary and its workers carry on.
    primary.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await get(`${ops}/readyz`))?.status, 200);
    assert.equal(primary.exitCode, null, "the primary is still running");

    // Both original workers die, each while a scrape is in flight, and the primary replaces them.
    const victims = [...pids].map(Number);
    const scrapes = [];
    for (const victim of victims) {
      scrapes.push(await killDuringScrape(primary.pid!, metricsPort, victim));
      // The primary lived and replaced the worker: a new pid answers (forked once the death was seen), and
      // /readyz counts it ready (its metrics listener is up, so the next scrape is answered in full).
      await until("the worker replaced", async () => {
        if (primary.exitCode !== null || primary.signalCode !== null) throw new Error("the primary ended");
        const answered = await workerPids(port);
        if (answered.size !== 2 || answered.has(String(victim))) return undefined;
        return (await get(`${ops}/readyz`))?.status === 200 ? true : undefined;
      });
    }
    // The replacements are counted instead of the dead.
    assert.match((await get(`${ops}/metrics`))?.text ?? "", /fixture_workers_started 2/);
    for (const scrape of scrapes) {
      // 500 if the primary asked the dead worker (no answer), 200 if it had already seen it go.
      assert.ok([200, 500].includes((await scrape.status)!), "the scrape is answered");
      scrape.socket.destroy();
    }

    primary.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.equal(await get(`http://127.0.0.1:${port}/`), undefined);
  } finally {
    if (primary.exitCode === null) primary.kill("SIGKILL");
  }
});
