// Runs the five-minute tour (README.md) exactly as written: every `$ command` of its console blocks in bash,
// each output line shown under it checked against what the command printed ("..." stands for anything, runs of
// spaces are one). Only what cannot be literal on a test machine is substituted: `npm start` is the same
// `kappa dev --dir examples` on free ports over a copy of the examples (the tour edits a file), localhost:8080
// becomes those ports, and `kappa` on PATH runs this checkout's CLI.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { kappaBin, repoRoot, startDev, type DevProcess } from "./kappa-process.js";

interface Step {
  command: string;
  expected: string[];
}

function tourSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of markdown.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] });
      else if (line.trim() && steps.length > 0) steps.at(-1)!.expected.push(line);
    }
  }
  return steps;
}

const squash = (text: string) => text.replace(/\s+/g, " ").trim();
const lineRegex = (expected: string) =>
  new RegExp(
    "^" +
      squash(expected)
        .split("...")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );

function run(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd, env });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** A step whose output is not there yet (logs, a redeploy) is run again, up to this long. */
const SETTLE_MS = 60_000;

describe("the five-minute tour (README.md)", () => {
  const steps = tourSteps(readFileSync(join(repoRoot, "README.md"), "utf8"));
  let workdir: string;
  let dev: DevProcess;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), "kappa-tour-"));
    cpSync(join(repoRoot, "examples"), join(workdir, "examples"), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules"), join(workdir, "node_modules"));
    dev = await startDev(join(workdir, "examples"));
    const bin = join(workdir, ".bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "kappa"), `#!/bin/sh\nexec "${process.execPath}" "${kappaBin}" "$@"\n`);
    chmodSync(join(bin, "kappa"), 0o755);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, KAPPA_HOME: dev.home, NO_COLOR: "1" };
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_REGION",
      "AWS_ENDPOINT_URL",
      "AWS_PROFILE",
    ])
      delete env[name];
  });

  after(async () => {
    await dev?.dispose();
    rmSync(workdir, { recursive: true, force: true });
  });

  it("has the steps a newcomer runs", () => {
    const commands = steps.map((s) => s.command);
    assert.ok(commands.includes("npm start"));
    assert.ok(
      commands.some((c) => c.startsWith("curl")) && commands.some((c) => c.startsWith("kappa invoke")),
    );
    assert.ok(steps.length >= 10, `${steps.length} steps`);
  });

  it("runs every command as written and prints what the tour shows", async () => {
    const http = new URL(dev.state.httpUrl);
    const api = new URL(dev.state.apiUrl);
    for (const step of steps) {
      if (step.command === "npm install" || step.command === "npm start") continue; // done in before()
      const command = step.command
        .replaceAll("localhost:8080", http.host)
        .replaceAll("localhost:8081", api.host);
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        const { code, output } = await run(command, workdir, env);
        const lines = output.split("\n").map(squash);
        const missing = step.expected.filter((e) => !lines.some((l) => lineRegex(e).test(l)));
        if (code === 0 && missing.length === 0) break;
        if (Date.now() > deadline) {
          assert.fail(
            `tour step \`${step.command}\` (exit ${code}) did not print:\n${missing.join("\n")}\n--- it printed:\n${output}`,
          );
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  });
});
