// The in-process Node host (the agent supervises one host worker that serves the API and runs the handler on
// its own thread): what only this process model has to get right — a busy loop past its deadline, a stray
// promise rejection, a hard kill, overlapping invocations in one process — and the Runtime API opt-out.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { AgentProcess, fixtureFunction } from "./agent-process.js";

type Json = Record<string, unknown>;

describe("in-process Node host worker", () => {
  const started: AgentProcess[] = [];
  async function start(
    handler: string,
    extra: Json = {},
    env: Record<string, string> = {},
  ): Promise<AgentProcess> {
    const agent = await AgentProcess.start({
      KAPPA_FUNCTION: JSON.stringify(fixtureFunction("node-host-worker", handler, extra)),
      ...env,
    });
    started.push(agent);
    return agent;
  }
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
  });

  it("answers a synchronous busy loop at its deadline (watchdog) and replaces the process", async () => {
    const agent = await start("index.spin", { timeoutSeconds: 1 });
    const workerBefore = agent.workerPid();
    assert.ok(workerBefore, "the agent runs a host worker");
    const res = await agent.invoke({ ms: 4000 }, { "x-kappa-request-id": "req-spin" });
    assert.equal(res.status, 200);
    assert.equal(res.functionError, "Unhandled");
    assert.deepEqual(res.json, {
      errorType: "Sandbox.Timedout",
      errorMessage: "RequestId: req-spin Error: Task timed out after 1.00 seconds",
    });
    const next = await agent.invoke({ ms: 1 });
    assert.deepEqual(next.json, { spun: 1, invocations: 1 }, "a fresh process served it");
    assert.notEqual(agent.workerPid(), workerBefore);
    const metrics = await agent.get("/metrics");
    assert.match(metrics.text, /kappa_runtime_process_restarts_total\{reason="timeout"\} 1/);
  });

  it("reports an unhandled promise rejection as Lambda does and recovers", async () => {
    const agent = await start("index.strayRejection");
    const res = await agent.invoke({});
    assert.equal(res.functionError, "Unhandled");
    const body = res.json as Json;
    assert.equal(body.errorType, "Runtime.UnhandledPromiseRejection");
    assert.equal(body.errorMessage, "Error: nobody handles this");
    const again = await agent.invoke({});
    assert.equal((again.json as Json).errorType, "Runtime.UnhandledPromiseRejection");
  });

  it("closes the connection when the worker is killed, and serves the next invoke from a new one", async () => {
    const agent = await start("index.tagged", { timeoutSeconds: 10 });
    const worker = agent.workerPid();
    assert.ok(worker, "the agent runs a host worker");
    const running = agent.invoke({ tag: "killed", ms: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(worker, "SIGKILL");
    await assert.rejects(running, "the connection closed without an answer (the gateway answers 502)");
    const res = await agent.invoke({ tag: "after", ms: 1 });
    assert.equal(res.status, 200);
    assert.equal((res.json as Json).tag, "after");
    assert.notEqual((res.json as Json).pid, worker);
  });

  it("runs overlapping invocations in one process and attributes each one's output to it", async () => {
    const agent = await start("index.tagged", { perInstance: 2, timeoutSeconds: 10 });
    const [a, b] = await Promise.all([
      agent.invoke({ tag: "a", ms: 300 }, { "x-kappa-request-id": "req-a", "x-kappa-log-type": "Tail" }),
      agent.invoke({ tag: "b", ms: 150 }, { "x-kappa-request-id": "req-b", "x-kappa-log-type": "Tail" }),
    ]);
    assert.equal((a!.json as Json).pid, (b!.json as Json).pid, "one process ran both");
    assert.deepEqual(
      agent.functionLogs("req-a").map((l) => l.message),
      ["begin a", "end a"],
    );
    assert.deepEqual(
      agent.functionLogs("req-b").map((l) => l.message),
      ["begin b", "end b"],
    );
    assert.match(a!.log ?? "", /begin a\nend a\n/);
    assert.doesNotMatch(a!.log ?? "", /begin b/);
  });

  it("finishes the other invocations of a process that timed out before replacing it", async () => {
    const agent = await start("index.tagged", { perInstance: 2, timeoutSeconds: 1 });
    const [slow, quick] = await Promise.all([
      agent.invoke({ tag: "slow", ms: 3000 }),
      new Promise((resolve) => setTimeout(resolve, 600)).then(() => agent.invoke({ tag: "quick", ms: 300 })),
    ]);
    assert.equal((slow!.json as Json).errorType, "Sandbox.Timedout");
    assert.equal(quick!.functionError, undefined, quick!.text);
    assert.equal((quick!.json as Json).tag, "quick");
  });

  it("specializes into a fresh worker when the function's env is read at process start (NODE_OPTIONS)", async () => {
    const agent = await AgentProcess.start({ KAPPA_RUNTIME: "nodejs20" });
    started.push(agent);
    const generic = agent.workerPid();
    const spec = fixtureFunction("node-host-worker", "index.heapLimit", {
      env: { NODE_OPTIONS: "--max-old-space-size=64" },
    });
    const res = await agent.specialize(spec);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ready: true, function: "default/test-fn" });
    const invoked = (await agent.invoke({})).json as Json;
    assert.ok((invoked.heapLimitMiB as number) < 256, `NODE_OPTIONS applied: ${invoked.heapLimitMiB} MiB`);
    assert.notEqual(invoked.pid, generic, "not the generic worker");
    assert.equal((await agent.specialize(spec)).status, 200, "specializing again is a no-op");
  });

  it("reports not ready while the supervisor is frozen (it could not replace a dying worker)", async () => {
    const agent = await start("index.tagged");
    assert.equal((await agent.get("/readyz")).status, 200);
    process.kill(agent.pid, "SIGSTOP");
    try {
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await agent.get("/readyz")).status;
      }
      assert.equal(status, 503);
    } finally {
      process.kill(agent.pid, "SIGCONT");
    }
    let status = 503;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await agent.get("/readyz")).status;
    }
    assert.equal(status, 200, "ready again once the supervisor runs");
  });

  it("reports process.exit at module load as the init error, on /specialize and on invokes", async () => {
    const agent = await AgentProcess.start({ KAPPA_RUNTIME: "nodejs20" });
    started.push(agent);
    const res = await agent.specialize(fixtureFunction("node-init-exit", "index.handler"));
    assert.equal(res.status, 200);
    const exited = {
      errorType: "Runtime.ExitError",
      errorMessage: "Runtime exited with error: exit status 7",
    };
    assert.deepEqual((res.json as { initError: Json }).initError, exited);
    for (let i = 0; i < 2; i++) {
      const invoked = await agent.invoke({});
      assert.equal(invoked.functionError, "Unhandled");
      assert.deepEqual(invoked.json, exited);
    }
  });

  it("keeps the Runtime API child-process host with KAPPA_NODE_HOST=runtime-api", async () => {
    const agent = await start("index.tagged", {}, { KAPPA_NODE_HOST: "runtime-api" });
    const res = await agent.invoke({ tag: "classic", ms: 1 });
    assert.equal((res.json as Json).tag, "classic");
    const command = readFileSync(`/proc/${(res.json as Json).pid as number}/cmdline`, "utf8");
    assert.match(command, /hosts\/node\/index\.mjs/, "a handler process behind the Runtime API ran it");
  });

  it("refuses an unknown KAPPA_NODE_HOST with a message naming the variable", async () => {
    await assert.rejects(
      AgentProcess.start({ KAPPA_RUNTIME: "nodejs20", KAPPA_NODE_HOST: "threads" }),
      /KAPPA_NODE_HOST must be in-process or runtime-api/,
    );
  });
});
