#!/usr/bin/env node
// Runs one test suite with Node's test runner: unit (tests beside the code and test/unit),
// integration (test/integration: real Redis, real kube-apiserver) or e2e (test/e2e: real cluster).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { buildIfStale } from "./build-if-stale.mjs";

const root = new URL("..", import.meta.url).pathname;
const suite = process.argv[2] ?? "unit";
const extra = process.argv.slice(3);
const skip = new Set(["node_modules", "dist", ".git", "fixtures", "charts", "examples"]);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const all = walk(root);
const inSuite = (f) => {
  if (suite === "integration") return f.startsWith("test/integration/");
  if (suite === "e2e") return f.startsWith("test/e2e/");
  return !f.startsWith("test/integration/") && !f.startsWith("test/e2e/");
};
let files = all.filter(inSuite).sort();
if (extra.length) files = files.filter((f) => extra.some((e) => f.includes(e)));
if (files.length === 0) {
  console.error(`no ${suite} tests found`);
  process.exit(1);
}
if (suite !== "unit") buildIfStale(root);
// --test-force-exit: a test file's process ends once its tests have finished, even when a client library still
// holds a socket open (ioredis retrying a stopped server, dockerode's keep-alive agent); otherwise such a file
// would sit until the timeout and be reported as failed although every test in it passed.
// Integration and e2e tests share one Redis or one cluster: run those files one at a time.
const concurrency = suite === "unit" ? 2 : 1;
const timeout = suite === "e2e" ? 900_000 : 300_000;
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    // Test processes write their reports with blocking writes, so a forced exit cannot cut them short.
    "--import",
    "./scripts/blocking-stdout.mjs",
    "--test",
    "--test-force-exit",
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeout}`,
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
