#!/usr/bin/env node
// `npm run bench -- <name>` runs bench/<name>.ts; without a name, every benchmark in turn.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { buildIfStale } from "./build-if-stale.mjs";

const root = new URL("..", import.meta.url).pathname;
const available = readdirSync(new URL("../bench", import.meta.url))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
// Benchmarks that start servers in their own processes run them from dist/, the code production runs.
buildIfStale(root);
let failed = 0;
for (const name of wanted.length ? wanted : available) {
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `bench/${name}.ts`], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
