// Runtime agent benchmark: a no-op handler invoked through the agent (its Node host worker serves the agent API
// and runs the handler in-process; BENCH_NODE_HOST=runtime-api measures the handler-process path instead) versus
// the same handler called in-process by a bare node:http server, same client, same concurrency, same bounded
// duration, alternating rounds, with the server side's CPU per invocation (the agent's supervisor, host worker
// and its watchdog thread included); then the time to specialize a generic instance (p50, p99).
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Pool, request } from "undici";

const root = new URL("..", import.meta.url).pathname;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 5;
const SPECIALIZE_RUNS = Number(process.env.BENCH_SPECIALIZE_RUNS ?? 30);
const NODE_HOST = process.env.BENCH_NODE_HOST ?? "in-process";

const HANDLER = "exports.handler = async (event) => ({ ok: true });\n";

const BARE_SERVER = `
import http from "node:http";
import { createRequire } from "node:module";
const handler = createRequire(process.argv[1] + "/")(process.argv[1] + "/index.js").handler;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const event = JSON.parse(Buffer.concat(chunks).toString() || "{}");
    const context = { awsRequestId: req.headers["x-kappa-request-id"], getRemainingTimeInMillis: () => 3000 };
    const text = JSON.stringify((await handler(event, context)) ?? null);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ msg: "listening", port: server.address().port })));
`;

function codeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kappa-bench-"));
  writeFileSync(join(dir, "index.js"), HANDLER);
  writeFileSync(join(dir, "package.json"), '{"type":"commonjs"}');
  return dir;
}

async function startListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes('"listening"')) continue;
        const { port } = JSON.parse(line) as { port: number };
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve(port);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`process exited with ${code}`)));
  });
}

function startAgent(env: Record<string, string>): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, ["--import", "tsx", "runtime/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      KAPPA_AGENT_PORT: "0",
      KAPPA_AGENT_HOST: "127.0.0.1",
      KAPPA_NODE_HOST: NODE_HOST,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { child, port: startListening(child) };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Measured {
  count: number;
  elapsed: number;
  latencies: number[];
  errors: number;
  /** CPU milliseconds the server side used (a process and its descendants), when /proc can tell */
  cpuMs?: number;
}

const TICK_MS = 10; // Linux USER_HZ is 100

/** CPU ms (user + system) of `root` and every descendant, from /proc: throughput swings with the machine's load,
 * CPU per invocation much less, so the bench reports both. */
function treeCpuMs(root: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of entries) {
    try {
      const fields = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]!.split(" ");
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  if (!stats.has(root)) return undefined;
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { ppid }] of stats) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of inTree) ticks += stats.get(pid)!.ticks;
  return ticks * TICK_MS;
}

async function measured(url: string, seconds: number, serverPid: number): Promise<Measured> {
  const before = treeCpuMs(serverPid);
  const result = await load(url, seconds);
  const after = treeCpuMs(serverPid);
  return before === undefined || after === undefined ? result : { ...result, cpuMs: after - before };
}

function combine(rounds: Measured[]): { rps: number; p99: number; errors: number; cpuUs?: number } {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const count = rounds.reduce((sum, r) => sum + r.count, 0);
  const elapsed = rounds.reduce((sum, r) => sum + r.elapsed, 0);
  return {
    rps: count / elapsed,
    p99: percentile(latencies, 99),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    ...(rounds.every((r) => r.cpuMs !== undefined)
      ? { cpuUs: (rounds.reduce((sum, r) => sum + r.cpuMs!, 0) * 1000) / count }
      : {}),
  };
}

async function load(url: string, seconds: number): Promise<Measured> {
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const started = performance.now();
      const res = await pool.request({
        path: "/invoke",
        method: "POST",
        headers: { "x-kappa-request-id": randomUUID(), "content-type": "application/json" },
        body: '{"n":1}',
      });
      await res.body.text();
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - started);
    }
  }
  const began = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - began) / 1000;
  await pool.close();
  return { count: latencies.length, elapsed, latencies, errors };
}

async function throughput(): Promise<void> {
  const dir = codeDir();
  const bareServer = spawn(process.execPath, ["--input-type=module", "-e", BARE_SERVER, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const barePort = await startListening(bareServer);
  const agent = startAgent({
    KAPPA_FUNCTION: JSON.stringify({
      namespace: "bench",
      name: "noop",
      runtime: "nodejs20",
      handler: "index.handler",
      code: { dir },
      perInstance: CONCURRENCY,
    }),
  });
  const agentPort = await agent.port;
  try {
    const loadBefore = loadavg()[0]!;
    await load(`http://127.0.0.1:${barePort}`, 1);
    await load(`http://127.0.0.1:${agentPort}`, 1);
    // Alternate short rounds so that load from anything else on the machine hits both sides alike.
    const bare: Measured[] = [];
    const viaAgent: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await measured(`http://127.0.0.1:${barePort}`, SECONDS / ROUNDS, bareServer.pid!));
      viaAgent.push(await measured(`http://127.0.0.1:${agentPort}`, SECONDS / ROUNDS, agent.child.pid!));
    }
    const bareResult = combine(bare);
    const agentResult = combine(viaAgent);
    const cpu = (r: { cpuUs?: number }): string =>
      r.cpuUs === undefined ? "" : `, server CPU ${r.cpuUs.toFixed(0)} us/invocation`;
    console.log(
      `no-op handler, concurrency ${CONCURRENCY}, ${SECONDS} s each, load average ` +
        `${loadBefore.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`,
    );
    console.log(
      `  bare node:http : ${bareResult.rps.toFixed(0)} req/s, p99 ${bareResult.p99.toFixed(2)} ms${cpu(bareResult)}`,
    );
    console.log(
      `  kappa agent (${NODE_HOST}): ${agentResult.rps.toFixed(0)} req/s, p99 ${agentResult.p99.toFixed(2)} ms${cpu(agentResult)}` +
        (agentResult.errors ? `, ${agentResult.errors} non-200` : ""),
    );
    const ratio = agentResult.rps / bareResult.rps;
    console.log(`  ratio agent/bare throughput: ${(ratio * 100).toFixed(1)}% (goal >= 80%)`);
  } finally {
    await Promise.all([stop(bareServer), stop(agent.child)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function specialization(): Promise<void> {
  const files = {
    "index.js": Buffer.from(HANDLER).toString("base64"),
    "package.json": Buffer.from('{"type":"commonjs"}').toString("base64"),
  };
  const times: number[] = [];
  for (let i = 0; i < SPECIALIZE_RUNS; i++) {
    // One instance at a time: another agent starting meanwhile would take the CPU being measured.
    const current = startAgent({ KAPPA_RUNTIME: "nodejs20" });
    const port = await current.port;
    // Wait until the generic host is up, as a pooled instance is long before it is picked.
    for (;;) {
      const health = await request(`http://127.0.0.1:${port}/healthz`);
      if (((await health.body.json()) as { primed?: boolean }).primed) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const started = performance.now();
    const res = await request(`http://127.0.0.1:${port}/specialize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        namespace: "bench",
        name: `fn-${i}`,
        runtime: "nodejs20",
        handler: "index.handler",
        code: { files },
      }),
    });
    await res.body.text();
    times.push(performance.now() - started);
    if (res.statusCode !== 200) throw new Error(`specialize answered ${res.statusCode}`);
    await stop(current.child);
  }
  times.sort((a, b) => a - b);
  console.log(
    `specialize a generic nodejs20 instance (${SPECIALIZE_RUNS} runs, code as inline files, ${NODE_HOST} host), ` +
      `load average ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(
    `  p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (goal p50 < 30 ms)`,
  );
}

await throughput();
await specialization();
