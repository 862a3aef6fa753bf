#!/usr/bin/env node
// Runs one test suite with Node's test runner: unit (tests beside the code and test/unit),
// integration (test/integration: real Redis, real kube-apiserver) or e2e (test/e2e: real cluster).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

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
// Integration and e2e tests run the built binary (bin/kappa.js -> dist/): rebuild first when a source is newer.
if (suite !== "unit") {
  const built = join(root, "dist", ".built");
  const stale = spawnSync(
    "bash",
    [
      "-c",
      `[ ! -f dist/.built ] || [ -n "$(find api cli controller gateway queue runtime -name '*.ts' -newer dist/.built -print -quit)" ]`,
    ],
    { cwd: root },
  );
  if (stale.status === 0) {
    console.error("building (sources are newer than dist/)");
    const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) process.exit(build.status ?? 1);
    spawnSync("touch", [built]);
  }
}
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
    "--test",
    "--test-force-exit",
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeout}`,
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
