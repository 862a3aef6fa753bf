// Timeouts, crashes and process.exit end the invocation with Lambda's error and the instance recovers;
// concurrency beyond perInstance is refused at once.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { AgentProcess, fixtureFunction } from "./agent-process.js";

type Json = Record<string, unknown>;

describe("recovery and concurrency", () => {
  const started: AgentProcess[] = [];
  async function start(handler: string, extra: Json = {}): Promise<AgentProcess> {
    const agent = await AgentProcess.start({
      KAPPA_FUNCTION: JSON.stringify(fixtureFunction("node-basic", handler, extra)),
    });
    started.push(agent);
    return agent;
  }
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
  });

  it("stops a handler at its timeout with Lambda's message, then serves the next invoke", async () => {
    const agent = await start("index.sleep", { timeoutSeconds: 1 });
    const res = await agent.invoke({ ms: 5000 }, { "x-kappa-request-id": "req-timeout" });
    assert.equal(res.status, 200);
    assert.equal(res.functionError, "Unhandled");
    assert.deepEqual(res.json, {
      errorType: "Sandbox.Timedout",
      errorMessage: "RequestId: req-timeout Error: Task timed out after 1.00 seconds",
    });
    const next = await agent.invoke({ ms: 1 });
    assert.equal(next.functionError, undefined);
    assert.deepEqual(
      next.json,
      { slept: 1, invocations: 1 },
      "a fresh process (module state reset) served it",
    );
    const metrics = await agent.get("/metrics");
    assert.match(metrics.text, /kappa_runtime_process_restarts_total\{reason="timeout"\} 1/);
  });

  it("uses the gateway's deadline when it is earlier than the timeout", async () => {
    const agent = await start("index.sleep", { timeoutSeconds: 30 });
    const res = await agent.invoke({ ms: 5000 }, { "x-kappa-deadline-ms": String(Date.now() + 300) });
    assert.equal((res.json as Json).errorType, "Sandbox.Timedout");
  });

  it("reports process.exit as Runtime.ExitError and restarts the process", async () => {
    const agent = await start("index.exit");
    const res = await agent.invoke(
      { code: 3 },
      { "x-kappa-request-id": "req-exit", "x-kappa-log-type": "Tail" },
    );
    assert.equal(res.functionError, "Unhandled");
    assert.deepEqual(res.json, {
      errorType: "Runtime.ExitError",
      errorMessage: "RequestId: req-exit Error: Runtime exited with error: exit status 3",
    });
    assert.match(res.log ?? "", /about to exit/, "the process's last words are in the log");
    const again = await agent.invoke({ code: 4 });
    assert.match((again.json as Json).errorMessage as string, /exit status 4/);
  });

  it("reports an uncaught exception in a timer as a function error and recovers", async () => {
    const agent = await start("index.crash");
    const res = await agent.invoke({});
    assert.equal(res.functionError, "Unhandled");
    assert.equal((res.json as Json).errorMessage, "crashed in a timer");
    const again = await agent.invoke({});
    assert.equal((again.json as Json).errorMessage, "crashed in a timer", "the restarted process serves");
  });

  it("refuses a request beyond perInstance with 429 at once, never queued", async () => {
    const agent = await start("index.sleep", { perInstance: 2, timeoutSeconds: 10 });
    const slow = [agent.invoke({ ms: 1500 }), agent.invoke({ ms: 1500 })];
    await new Promise((resolve) => setTimeout(resolve, 300));
    const busy = await agent.invoke({ ms: 1 });
    assert.equal(busy.status, 429);
    assert.equal((busy.json as Json).code, "InstanceBusy");
    const results = await Promise.all(slow);
    assert.deepEqual(
      results.map((r) => (r.json as Json).slept),
      [1500, 1500],
      "both slots ran concurrently in their own processes",
    );
    const free = await agent.invoke({ ms: 1 });
    assert.equal(free.status, 200);
  });

  it("lets a running invocation finish on SIGTERM, then exits", async () => {
    const agent = await start("index.sleep", { timeoutSeconds: 10 });
    const running = agent.invoke({ ms: 800 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = agent.stop();
    const res = await running;
    assert.equal(res.status, 200);
    assert.equal((res.json as Json).slept, 800);
    await stopped;
  });

  it("stops its function processes when it stops", async () => {
    const agent = await start("index.echo");
    const res = await agent.invoke({});
    assert.equal(res.status, 200);
    const envRes = await agent.invoke({});
    assert.equal(envRes.status, 200);
    await agent.stop();
    // The host (or host worker) exits when the agent goes away; nothing of it may linger.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { execSync } = await import("node:child_process");
    const hosts = execSync("ps -eo pid,ppid,args")
      .toString()
      .split("\n")
      .filter((l) => l.includes("hosts/node/index.mjs") || l.includes("hosts/node/worker/main.mjs"));
    const orphans = hosts.filter((l) => l.trim().split(/\s+/)[1] === "1");
    assert.deepEqual(orphans, []);
  });
});
