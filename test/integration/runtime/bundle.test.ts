// The agent as the images run it: one esbuild bundle (runtime/images/bundle-agent.sh) plus the handler hosts,
// started outside the repository so nothing resolves from its node_modules.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AgentProcess, fixtureFunction, repoRoot } from "./agent-process.js";

type Json = Record<string, unknown>;

describe("bundled agent (what the images run)", () => {
  let out: string;
  const started: AgentProcess[] = [];
  before(() => {
    out = mkdtempSync(join(tmpdir(), "kappa-bundle-"));
    const result = spawnSync("bash", [join(repoRoot, "runtime/images/bundle-agent.sh"), out], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
  });
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
    rmSync(out, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<AgentProcess> {
    const agent = await AgentProcess.start(env, [process.execPath, join(out, "agent.mjs")]);
    started.push(agent);
    return agent;
  }

  it("specializes and invokes a Node function", async () => {
    const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
    assert.equal((await agent.specialize(fixtureFunction("node-basic", "index.env"))).status, 200);
    const res = await agent.invoke({});
    assert.equal(res.functionError, undefined, res.text);
    const runtimeDir = ((res.json as { env: Json }).env.LAMBDA_RUNTIME_DIR ?? "") as string;
    assert.ok(runtimeDir.startsWith(out), `the bundle's own hosts run (${runtimeDir})`);
    assert.match((await agent.get("/metrics")).text, /kappa_runtime_invocations_total/);
  });

  it("runs a Python function", async () => {
    const agent = await start({
      KAPPA_FUNCTION: JSON.stringify(fixtureFunction("python-basic", "app.echo", { runtime: "python3.11" })),
    });
    const res = await agent.invoke({ q: 1 });
    assert.deepEqual((res.json as { event: Json }).event, { q: 1 });
  });
});
