// `npm run bench -- gateway`: a warm no-op function called (1) directly on a bare server standing in for the
// agent, (2) through nginx as a plain keep-alive reverse proxy, (3) through the Kappa gateway, and (4) through
// the gateway with an API key, a usage plan and a route rate limit on. Same client (wrk, 100-byte JSON POST),
// same machine, same run: 50 connections for throughput, 1 connection for unloaded latency, one process each
// and then N workers each. Prints req/s, p50, p99, CPU time per request of the measured process and the
// ratios the goals are stated in. BENCH_SECONDS, BENCH_SINGLE_SECONDS, BENCH_ROUNDS, BENCH_WORKERS shorten or
// change it.
//
// The targets being compared run side by side and are measured in interleaved rounds (nginx, Kappa, Kappa with
// auth, then again in a rotated order), and each ratio is the median of the per-round ratios: on a shared
// machine the host's steal time swings by tens of percent from one minute to the next, and one long run per
// target after another let whichever target drew a quiet minute win.
//
// Each server is its own process so the client, the proxy and the upstream never share an event loop.
// Roles: `tsx bench/gateway.ts upstream` and `tsx bench/gateway.ts gateway <json>` are started by the main role.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import cluster from "node:cluster";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_V8_OPTIONS, gatewayExecArgv } from "../gateway/v8-flags.js";
import { cpuTimes, stealPercentSince } from "./_host-steal.js";
import { REQUEST_BODY, median, startRoleProcess, writeWrkScript } from "./_gateway-load.js";
import { TICK_US, treeCpuTicks } from "./_process-cpu.js";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 6);
/** the unloaded runs (one connection: latency without queueing, Little's law aside) */
const SINGLE_DURATION_S = Number(process.env.BENCH_SINGLE_SECONDS ?? 3);
const CONNECTIONS = 50;
/** each target's run is split into this many rounds, interleaved with the other targets' */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WORKER_COUNTS = [...new Set([1, Number(process.env.BENCH_WORKERS ?? availableParallelism())])];
const RESULT = JSON.stringify({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: '{"ok":true}',
});
const here = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));

// ---- role: upstream (a bare HTTP server that answers /invoke like a warm agent) ----
async function upstream(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(RESULT) });
      res.end(RESULT);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () =>
    process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`),
  );
}

// ---- role: gateway ----
async function gatewayRole(config: {
  redisUrl: string;
  upstream: string;
  auth: boolean;
  workers: number;
}): Promise<void> {
  const { Redis } = await import("ioredis");
  const { pino } = await import("pino");
  const { Registry } = await import("prom-client");
  const { MemoryResourceStore } = await import("../api/store.js");
  const { RedisKeys } = await import("../api/instances.js");
  const { startGateway } = await import("../gateway/server.js");
  const { benchStages } = await import("./gateway-auth-setup.js");
  if (config.workers > 1 && cluster.isPrimary) return clusterPrimary(config.workers);
  const redis = new Redis(config.redisUrl);
  const store = new MemoryResourceStore();
  store.upsert({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Function",
    metadata: { namespace: "bench", name: "noop" },
    spec: {
      runtime: "nodejs20",
      handler: "index.handler",
      code: { inline: { "index.js": "" } },
      timeoutSeconds: 30,
      concurrency: { perInstance: 1000 },
    },
  });
  await redis.hset(
    RedisKeys.instances("bench", "noop"),
    "i-1",
    JSON.stringify({ id: "i-1", url: config.upstream, perInstance: 1000, readySince: Date.now() }),
  );
  const setup = config.auth ? await benchStages({ store, redis }) : undefined;
  const gateway = await startGateway({
    host: "127.0.0.1",
    port: 0,
    apiPort: null,
    redis,
    store,
    logger: pino({ level: "warn" }),
    registry: new Registry(),
    gatewayId: `bench-${process.pid}`,
    limits: { accessLog: false },
    // Without auth: no stages at all, to measure the bare data plane; with it: the production chain.
    stages: setup ? undefined : () => ({}),
  });
  const stop = () => {
    setTimeout(() => process.exit(0), 1_000).unref();
    void gateway.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const line = `PORT ${gateway.port} ${setup ? JSON.stringify(setup.headers) : "{}"}`;
  if (cluster.isWorker) process.send!(line);
  else process.stdout.write(`${line}\n`);
}

/**
 * The gateway on every core, as node:cluster runs it (workers share the listening port; each is a full
 * gateway with its own gatewayId, as N replicas would be). Compared with nginx at the same worker count.
 */
function clusterPrimary(workers: number): void {
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on("message", (line: string) => {
      if (++listening === workers) process.stdout.write(`${line}\n`);
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 1_500).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

// ---- main role ----
interface Result {
  name: string;
  connections: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** CPU time (user + system) of the measured process tree per request, in microseconds */
  cpuUsPerRequest: number;
  /** that CPU time over the wall time: 100% is one core kept busy the whole run */
  busyPercent: number;
  /** CPU time of the upstream (the stand-in agent) per request, for the targets that call it */
  upstreamUsPerRequest?: number;
  /** percent of the machine's CPU time the host took (steal) during the run */
  stealPercent?: number;
  /** each round's req/s and p50, in round order, for ratios taken round by round */
  rounds: Array<{ rps: number; p50ms: number }>;
}

/**
 * A server under test, measured by wrk at `url`; `pid` is the process tree whose CPU time is counted, and
 * `upstreamPid` the upstream it calls (none for the upstream itself).
 */
interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  pid: number;
  upstreamPid?: number;
}

interface Run {
  requests: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  cpuUs: number;
  /** 0 for a target that calls no upstream */
  upstreamCpuUs: number;
  wallUs: number;
  stealPercent: number | undefined;
}

/** The roles run from dist/ (npm run bench builds it): the compiled code production runs, not tsx's. */
const compiled = join(root, "dist", "bench", "gateway.js");

function startRole(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const entry = here.endsWith(".ts") && existsSync(compiled) ? [compiled] : ["--import", "tsx", here];
  // A gateway runs with the V8 flags production gives it (gateway/v8-flags.ts); node:cluster workers inherit
  // them from the role's process, as gateway/cluster.ts passes them to production's.
  const flags = args[0] === "gateway" ? gatewayExecArgv([], DEFAULT_V8_OPTIONS) : [];
  return startRoleProcess([...flags, ...entry, ...args], root);
}

function wrkScript(target: Target, dir: string): string {
  return writeWrkScript(join(dir, `${target.name.replace(/\W+/g, "-")}.lua`), target.headers);
}

/** One wrk run against a target: its req/s, latency and the CPU its process tree spent meanwhile. */
function runOnce(target: Target, script: string, connections: number, seconds: number): Run {
  const upstreamTicks = () => (target.upstreamPid === undefined ? 0 : treeCpuTicks(target.upstreamPid));
  const cpuBefore = treeCpuTicks(target.pid);
  const upstreamBefore = upstreamTicks();
  const hostBefore = cpuTimes();
  const started = performance.now();
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, target.url];
  const out = spawnSync("wrk", args, { encoding: "utf8" }).stdout;
  const wallUs = (performance.now() - started) * 1000;
  const cpuUs = (treeCpuTicks(target.pid) - cpuBefore) * TICK_US;
  const upstreamCpuUs = (upstreamTicks() - upstreamBefore) * TICK_US;
  const stealPercent = stealPercentSince(hostBefore);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const percentile = (p: string) =>
    toMs(new RegExp(`^\\s+${p}%\\s+([\\d.]+\\w+)`, "m").exec(out)?.[1] ?? "0ms");
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    requests,
    rps,
    p50ms: percentile("50"),
    p99ms: percentile("99"),
    errors,
    cpuUs,
    upstreamCpuUs,
    wallUs,
    stealPercent,
  };
}

/**
 * Every target warmed up (JIT, keep-alive pools), then `seconds` each, split into ROUNDS rounds that take the
 * targets in turn, starting one later each round.
 */
function measureRounds(targets: Target[], dir: string, connections: number, seconds: number): Result[] {
  const scripts = targets.map((target) => wrkScript(target, dir));
  const warmUp = connections === 1 ? "-d1s" : "-d2s";
  targets.forEach((target, i) =>
    spawnSync("wrk", ["-t1", `-c${connections}`, warmUp, "-s", scripts[i]!, target.url]),
  );
  const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
  const runs: Run[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      runs[i]!.push(runOnce(targets[i]!, scripts[i]!, connections, roundSeconds));
    }
  }
  return targets.map((target, i) => {
    const own = runs[i]!;
    const requests = own.reduce((sum, r) => sum + r.requests, 0);
    const steal = own.map((r) => r.stealPercent).filter((p): p is number => p !== undefined);
    const cpuUs = own.reduce((sum, r) => sum + r.cpuUs, 0);
    const upstreamUs = own.reduce((sum, r) => sum + r.upstreamCpuUs, 0);
    return {
      name: target.name,
      connections,
      rps: median(own.map((r) => r.rps)),
      p50ms: median(own.map((r) => r.p50ms)),
      p99ms: median(own.map((r) => r.p99ms)),
      errors: own.reduce((sum, r) => sum + r.errors, 0),
      cpuUsPerRequest: requests > 0 ? cpuUs / requests : 0,
      busyPercent: (100 * cpuUs) / own.reduce((sum, r) => sum + r.wallUs, 0),
      upstreamUsPerRequest:
        target.upstreamPid === undefined || requests === 0 ? undefined : upstreamUs / requests,
      stealPercent: steal.length ? steal.reduce((a, b) => a + b, 0) / steal.length : undefined,
      rounds: own.map((r) => ({ rps: r.rps, p50ms: r.p50ms })),
    };
  });
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

function nginxConfig(dir: string, port: number, upstreamPort: number, workers: number): string {
  return `worker_processes ${workers};
daemon off;
pid ${dir}/nginx-${port}.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream agent { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://agent; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function main(): Promise<void> {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("bench gateway needs wrk (Debian: apt-get install -y wrk)");
    process.exit(2);
  }
  const { startRedis } = await import("../test/support/redis.js");
  const dir = mkdtempSync(join(tmpdir(), "kappa-bench-gw-"));
  const children: ChildProcess[] = [];
  const redis = await startRedis();
  try {
    const up = await startRole(["upstream"]);
    children.push(up.child);
    const upstreamPort = Number(up.line.split(" ")[1]);
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;

    const results: Result[] = [];
    const direct: Target = {
      name: "direct",
      url: `${upstreamUrl}/invoke`,
      headers: {},
      pid: up.child.pid!,
    };

    const nginxBin = ["/usr/sbin/nginx", "nginx"].find((bin) => !spawnSync(bin, ["-v"]).error);
    if (!nginxBin) console.log("nginx not installed (apt-get install -y nginx): skipping the nginx baseline");
    // Same worker count on both sides: one process each, then (BENCH_WORKERS, default the core count) nginx
    // workers against node:cluster workers. The servers of one worker count run side by side.
    for (const workers of WORKER_COUNTS) {
      const suffix = workers === 1 ? "" : ` x${workers}`;
      const targets: Target[] = workers === 1 ? [direct] : [];
      const running: ChildProcess[] = [];
      if (nginxBin) {
        const nginxPort = await freePort();
        const conf = join(dir, `nginx-${workers}.conf`);
        writeFileSync(conf, nginxConfig(dir, nginxPort, upstreamPort, workers));
        const nginx = spawn(nginxBin, ["-c", conf, "-p", dir], { stdio: "inherit" });
        children.push(nginx);
        running.push(nginx);
        await new Promise((r) => setTimeout(r, 500));
        targets.push({
          name: `nginx${suffix}`,
          url: `http://127.0.0.1:${nginxPort}/invoke`,
          headers: {},
          pid: nginx.pid!,
          upstreamPid: up.child.pid!,
        });
      }
      for (const auth of [false, true]) {
        const gw = await startRole([
          "gateway",
          JSON.stringify({ redisUrl: redis.url, upstream: upstreamUrl, auth, workers }),
        ]).catch(() => undefined);
        if (!gw) continue;
        children.push(gw.child);
        running.push(gw.child);
        const [, port, ...rest] = gw.line.split(" ");
        targets.push({
          name: `${auth ? "kappa+key+ratelimit" : "kappa"}${suffix}`,
          url: `http://127.0.0.1:${port}${auth ? "/bench/noop" : "/function/bench/noop"}`,
          headers: JSON.parse(rest.join(" ") || "{}") as Record<string, string>,
          pid: gw.child.pid!,
          upstreamPid: up.child.pid!,
        });
      }
      results.push(...measureRounds(targets, dir, CONNECTIONS, DURATION_S));
      // Unloaded latency (1 connection), for one process each, where added latency is not hidden by queueing.
      if (workers === 1) results.push(...measureRounds(targets, dir, 1, SINGLE_DURATION_S));
      for (const child of running) {
        child.kill("SIGTERM");
        if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      }
    }
    report(results);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const find = (name: string, connections: number) =>
    results.find((r) => r.name === name && r.connections === connections);
  console.log(
    `\n${Buffer.byteLength(REQUEST_BODY)}-byte JSON POST, wrk -t1; ${CONNECTIONS} connections for ${DURATION_S}s, ` +
      `1 connection for ${SINGLE_DURATION_S}s, each in ${ROUNDS} interleaved rounds (req/s, p50, p99: median ` +
      `of the rounds); cpu = CPU time of the measured process tree per request, busy = that CPU time over ` +
      `the wall time (100% = one core busy throughout), upstream = the stand-in agent's CPU time per request`,
  );
  console.log(
    `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    "name                     conns    req/s   p50 ms   p99 ms   cpu us/req   busy   upstream us/req   errors   steal",
  );
  for (const r of results) {
    const upstream = r.upstreamUsPerRequest === undefined ? "-" : r.upstreamUsPerRequest.toFixed(0);
    console.log(
      `${r.name.padEnd(24)} ${String(r.connections).padStart(5)} ${r.rps.toFixed(0).padStart(8)}   ` +
        `${r.p50ms.toFixed(2).padStart(6)}   ${r.p99ms.toFixed(2).padStart(6)}   ` +
        `${r.cpuUsPerRequest.toFixed(0).padStart(10)}   ${`${r.busyPercent.toFixed(0)}%`.padStart(4)}   ` +
        `${upstream.padStart(15)}   ${String(r.errors).padEnd(6)}   ` +
        `${r.stealPercent === undefined ? "n/a" : `${r.stealPercent.toFixed(0)}%`}`,
    );
  }
  console.log("\ngoals: kappa >= 70% of nginx's req/s at the same worker count; < 1 ms added p50");
  console.log("(each figure is the median of the rounds' own figures, every round in brackets)");
  for (const r of results.filter((x) => x.name.startsWith("kappa"))) {
    const suffix = / x\d+$/.exec(r.name)?.[0] ?? "";
    const nginx = find(`nginx${suffix}`, r.connections);
    const direct = find("direct", r.connections);
    const parts = [`${r.name} (${r.connections} conn):`];
    if (nginx && r.connections === CONNECTIONS) {
      const ratios = pairwise(r, nginx, (own, base) => (100 * own.rps) / base.rps);
      parts.push(`${summary(ratios, "%", 0)} of ${nginx.name} req/s;`);
    }
    const addedP50 = (base: Result) =>
      summary(
        pairwise(r, base, (own, other) => own.p50ms - other.p50ms),
        " ms",
        2,
        true,
      );
    if (direct) parts.push(`p50 ${addedP50(direct)} vs direct;`);
    if (nginx) parts.push(`p50 ${addedP50(nginx)} vs ${nginx.name}`);
    console.log(parts.join(" "));
  }
}

type Round = Result["rounds"][number];

/** A figure taken round by round: each round of `own` against the same round of `base`, measured seconds apart. */
function pairwise(own: Result, base: Result, figure: (own: Round, base: Round) => number): number[] {
  return own.rounds.slice(0, base.rounds.length).map((round, i) => figure(round, base.rounds[i]!));
}

function summary(values: number[], unit: string, digits: number, signed = false): string {
  const show = (v: number) => `${signed && v >= 0 ? "+" : ""}${v.toFixed(digits)}${unit}`;
  return `${show(median(values))} [${values.map(show).join(", ")}]`;
}

const role = process.argv[2];
if (role === "upstream") await upstream();
else if (role === "gateway") await gatewayRole(JSON.parse(process.argv[3]!));
else {
  await main();
  // Nothing is left to wait for (children stopped, Redis stopped); do not let a stray handle (the test Redis
  // helper's probes, a child's pipe) hold the run open for minutes.
  process.exit(0);
}
