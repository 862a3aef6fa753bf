// `npm run bench -- gateway-ab`: the gateway's CPU time per request in this working tree against a base commit
// (KAPPA_AB_BASE, default HEAD: what uncommitted changes do), with an API key, a usage plan and a rate limit on,
// one process each. With a clean tree it is an A/A run: the noise floor to read other results against.
//
// Built for differences of a few tenths of a microsecond on a shared 2-core VM (docs/gateway-performance.md
// "Eleventh round"):
// - both gateways are loaded at the same time, each by its own wrk, so a swing in the host's speed moves both
//   sides of a pair alike (one after the other, pairs differed by up to 5 us; side by side, ~0.5);
// - both are started anew every AB_PAIRS pairs, the one started first alternating: a process keeps the luck of
//   its start (memory layout, JIT timing) for its life, worth +-0.8 us between restarts here, more than most
//   changes being measured;
// - the figure is CPU time per request (utime + stime over requests served), not req/s, which the other side's
//   load moves.
// AB_BASE_V8_FLAGS and AB_NEW_V8_FLAGS set each side's V8 flags as KAPPA_GATEWAY_V8_FLAGS does (default: the
// gateway's own; "none"), so flags are measured the same way: KAPPA_AB_BASE=HEAD AB_BASE_V8_FLAGS=none.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseV8Flags } from "../gateway/config.js";
import {
  DEFAULT_SEMI_SPACE_MB,
  gatewayExecArgv,
  gatewayFlags,
  type GatewayV8Options,
} from "../gateway/v8-flags.js";
import { median, startRoleProcess, writeWrkScript } from "./_gateway-load.js";
import { TICK_US, treeCpuTicks } from "./_process-cpu.js";

const RESTARTS = Math.max(1, Number(process.env.AB_RESTARTS ?? 12));
const PAIRS = Math.max(1, Number(process.env.AB_PAIRS ?? 2));
const SECONDS = Math.max(1, Number(process.env.AB_SECONDS ?? 4));
const BASE = process.env.KAPPA_AB_BASE ?? "HEAD";
const v8Options = (variable: string): GatewayV8Options => ({
  semiSpaceMb: DEFAULT_SEMI_SPACE_MB,
  v8Flags: parseV8Flags(process.env[variable], variable),
});
const V8 = { base: v8Options("AB_BASE_V8_FLAGS"), new: v8Options("AB_NEW_V8_FLAGS") };
const root = fileURLToPath(new URL("..", import.meta.url));

interface Gateway {
  child: ChildProcess;
  url: string;
  script: string;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The base commit checked out and compiled beside the working tree; removed by the returned function. */
function buildBase(dir: string): { tree: string; remove: () => void } {
  const tree = join(dir, "base");
  const commit = run("git", ["rev-parse", "--verify", `${BASE}^{commit}`], root).trim();
  run("git", ["worktree", "add", "--detach", tree, commit], root);
  const remove = () => spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: root });
  try {
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"));
    run(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      tree,
    );
  } catch (error) {
    remove();
    throw error;
  }
  console.log(`base: ${BASE} (${commit.slice(0, 12)}); new: this working tree`);
  console.log(`V8 flags: base ${gatewayFlags(V8.base).join(" ")}; new ${gatewayFlags(V8.new).join(" ")}`);
  return { tree, remove };
}

/** A gateway of the build in `tree`, with the auth chain on, as bench/gateway.ts's role starts it. */
async function startGateway(
  tree: string,
  name: "base" | "new",
  dir: string,
  redisUrl: string,
  upstream: string,
): Promise<Gateway> {
  const config = JSON.stringify({ redisUrl, upstream, auth: true, workers: 1 });
  const flags = gatewayExecArgv([], V8[name]);
  const { child, line } = await startRoleProcess(
    [...flags, join(tree, "dist", "bench", "gateway.js"), "gateway", config],
    tree,
  );
  const [, port, ...rest] = line.split(" ");
  const headers = JSON.parse(rest.join(" ") || "{}") as Record<string, string>;
  const script = writeWrkScript(join(dir, `${name}.lua`), headers);
  return { child, url: `http://127.0.0.1:${port}/bench/noop`, script };
}

/** Both gateways loaded at once for `seconds`: each one's CPU time per request, in microseconds. */
async function loadBoth(gateways: Gateway[], seconds: number): Promise<number[]> {
  const before = gateways.map((g) => treeCpuTicks(g.child.pid!));
  const outputs = await Promise.all(
    gateways.map(
      (g) =>
        new Promise<string>((resolve) => {
          const wrk = spawn("wrk", ["-t1", "-c50", `-d${seconds}s`, "-s", g.script, g.url]);
          let out = "";
          wrk.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
          wrk.once("close", () => resolve(out));
        }),
    ),
  );
  return gateways.map((g, i) => {
    const requests = Number(/(\d+) requests in/.exec(outputs[i]!)?.[1] ?? 0);
    if (!requests || /Non-2xx/.test(outputs[i]!)) throw new Error(`wrk against ${g.url}:\n${outputs[i]}`);
    return ((treeCpuTicks(g.child.pid!) - before[i]!) * TICK_US) / requests;
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;

async function main(): Promise<void> {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("bench gateway-ab needs wrk (Debian: apt-get install -y wrk)");
    process.exit(2);
  }
  if (!existsSync(join(root, "dist", "bench", "gateway.js"))) throw new Error("dist/ is not built");
  const { startRedis } = await import("../test/support/redis.js");
  const dir = mkdtempSync(join(tmpdir(), "kappa-bench-ab-"));
  const base = buildBase(dir);
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const upstream = await startRoleProcess([join(root, "dist", "bench", "gateway.js"), "upstream"], root);
    children.push(upstream.child);
    const upstreamUrl = `http://127.0.0.1:${upstream.line.split(" ")[1]}`;
    console.log(
      `${RESTARTS} restarts x ${PAIRS} pairs, ${SECONDS} s each, both loaded at once (wrk -t1 -c50 each); ` +
        "CPU us per request, new - base",
    );
    const diffs: number[] = [];
    const restartMeans: number[] = [];
    for (let restart = 0; restart < RESTARTS; restart++) {
      const order = restart % 2 === 0 ? (["base", "new"] as const) : (["new", "base"] as const);
      const started: Record<string, Gateway> = {};
      for (const name of order) {
        const tree = name === "base" ? base.tree : root;
        started[name] = await startGateway(tree, name, dir, redis.url, upstreamUrl);
        children.push(started[name].child);
      }
      const pair = [started.base!, started.new!];
      await loadBoth(pair, 2);
      const own: number[] = [];
      let last: number[] = [];
      for (let i = 0; i < PAIRS; i++) {
        last = await loadBoth(pair, SECONDS);
        own.push(last[1]! - last[0]!);
      }
      diffs.push(...own);
      const mean = own.reduce((a, b) => a + b, 0) / own.length;
      restartMeans.push(mean);
      console.log(
        `restart ${restart + 1} (${order[0]} first): base ${last[0]!.toFixed(1)} new ${last[1]!.toFixed(1)} ` +
          `diffs ${own.map(signed).join(" ")} mean ${signed(mean)}`,
      );
      for (const g of pair) await stop(g.child);
    }
    // Pairs within one restart share that restart's luck: the error is taken over the restarts' means.
    const mean = restartMeans.reduce((a, b) => a + b, 0) / restartMeans.length;
    const sd = Math.sqrt(
      restartMeans.reduce((a, m) => a + (m - mean) ** 2, 0) / Math.max(1, restartMeans.length - 1),
    );
    console.log(
      `new - base: mean ${signed(mean)} us per request (standard error ${(sd / Math.sqrt(restartMeans.length)).toFixed(2)} ` +
        `over ${restartMeans.length} restarts), median pair ${signed(median(diffs))}, ` +
        `new lower in ${diffs.filter((d) => d < 0).length} of ${diffs.length} pairs`,
    );
  } finally {
    for (const child of children) await stop(child);
    await redis.stop();
    base.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
