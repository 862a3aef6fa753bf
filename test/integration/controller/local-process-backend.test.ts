// The local-process backend against the conformance suite, plus what only it does: per-function log files.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LocalProcessBackend } from "../../../controller/backends/local-process.js";
import { functionLogPath } from "../../../controller/backends/instance-logs.js";
import { backendConformance } from "./backend-conformance.js";
import { logger } from "./support.js";

function make() {
  const stateDir = mkdtempSync(join(tmpdir(), "kappa-backend-"));
  const backend = new LocalProcessBackend({ stateDir, logger });
  return {
    stateDir,
    backend,
    crash: (instance: { pid?: number }) => {
      process.kill(instance.pid!, "SIGKILL");
    },
    cleanup: async () => {
      await backend.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

backendConformance("local-process", async () => make());

describe("local-process backend", () => {
  it("writes each instance's output as JSON lines to the function's log file", async () => {
    const target = make();
    try {
      await target.backend.start({ id: "log-a", runtime: "nodejs20", memoryMiB: 128 });
      await target.backend.specialize(
        "log-a",
        {
          namespace: "logs",
          name: "talker",
          runtime: "nodejs20",
          handler: "index.handler",
          code: {
            files: {
              "index.js": Buffer.from(
                "exports.handler = async () => { console.log('hello from talker'); return 1; };",
              ).toString("base64"),
            },
          },
        },
        "rev",
      );
      const url = target.backend.get("log-a")!.url!;
      const response = await fetch(new URL("/invoke", url), {
        method: "POST",
        headers: { "x-kappa-request-id": "r-1" },
        body: "{}",
      });
      assert.equal(response.status, 200);
      const path = functionLogPath(join(target.stateDir, "logs"), "logs", "talker");
      const deadline = Date.now() + 10_000;
      let lines: Record<string, unknown>[] = [];
      while (Date.now() < deadline) {
        try {
          lines = readFileSync(path, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        } catch {
          lines = [];
        }
        if (lines.some((l) => JSON.stringify(l).includes("hello from talker"))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const line = lines.find((l) => JSON.stringify(l).includes("hello from talker"));
      assert.ok(line, `log line in ${path}`);
      assert.equal(line.instance, "log-a");
    } finally {
      await target.cleanup();
    }
  });

  it("kills a ready instance that stops answering /readyz, reported as a crash", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kappa-backend-"));
    const backend = new LocalProcessBackend({ stateDir, logger, healthCheckIntervalMs: 200 });
    const exits: boolean[] = [];
    backend.watch((e) => {
      if (e.type === "exited") exits.push(e.expected);
    });
    try {
      await backend.start({ id: "hang", runtime: "nodejs20", memoryMiB: 128 });
      const ready = await backend.specialize(
        "hang",
        {
          namespace: "logs",
          name: "hang",
          runtime: "nodejs20",
          handler: "index.handler",
          code: { files: { "index.js": Buffer.from("exports.handler = async () => 1;").toString("base64") } },
        },
        "rev",
      );
      process.kill(ready.pid!, "SIGSTOP"); // frozen: the process exists but serves nothing
      const deadline = Date.now() + 20_000;
      while (exits.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(exits, [false]);
      assert.equal(backend.get("hang"), undefined);
    } finally {
      await backend.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("fails a start clearly when the agent cannot run", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kappa-backend-"));
    const backend = new LocalProcessBackend({
      stateDir,
      logger,
      agentCommand: {
        command: process.execPath,
        args: ["-e", "console.error('boom: no agent here'); process.exit(3)"],
      },
    });
    try {
      await assert.rejects(
        backend.start({ id: "bad", runtime: "nodejs20", memoryMiB: 128 }),
        /boom: no agent here/,
      );
      assert.deepEqual(backend.list(), []);
    } finally {
      await backend.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
