// The Python 3.11 handler host through the real agent.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { AgentProcess, fixtureFunction } from "./agent-process.js";

type Json = Record<string, unknown>;

const python = (handler: string, extra = {}) =>
  fixtureFunction("python-basic", handler, { runtime: "python3.11", env: { GREETING: "hej" }, ...extra });

describe("python handler host", () => {
  const started: AgentProcess[] = [];
  async function start(env: Record<string, string>): Promise<AgentProcess> {
    const agent = await AgentProcess.start(env);
    started.push(agent);
    return agent;
  }
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
  });

  it("specializes a generic python instance and passes the context and env", async () => {
    const agent = await start({ KAPPA_RUNTIME: "python3.11" });
    assert.equal((await agent.specialize(python("app.echo"))).status, 200);
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString("base64");
    const res = await agent.invoke(
      { x: [1, 2] },
      { "x-kappa-request-id": "py-1", "x-kappa-client-context": clientContext },
    );
    assert.equal(res.functionError, undefined, res.text);
    const body = res.json as { event: Json; invocations: number; context: Json; env: Json; tmp: string };
    assert.deepEqual(body.event, { x: [1, 2] });
    assert.equal(body.context.aws_request_id, "py-1");
    assert.equal(body.context.function_name, "test-fn");
    assert.equal(body.context.function_version, "$LATEST");
    assert.equal(body.context.memory_limit_in_mb, "128");
    assert.equal(body.context.log_group_name, "/aws/lambda/test-fn");
    assert.deepEqual(body.context.client_context_custom, { a: 1 });
    assert.ok((body.context.remaining as number) > 0);
    assert.equal(body.env.AWS_EXECUTION_ENV, "AWS_Lambda_python3.11");
    assert.equal(body.env._HANDLER, "app.echo");
    assert.equal(body.env.GREETING, "hej");
    assert.match(body.tmp, /kappa-tmp-/);
    const second = (await agent.invoke({})).json as { invocations: number };
    assert.equal(second.invocations, 2, "module state is kept between invocations");
    assert.ok(agent.functionLogs("py-1").some((l) => l.message.startsWith("echo called")));
  });

  it("reports exceptions, timeouts, exits and unmarshalable results", async () => {
    const fails = await start({ KAPPA_FUNCTION: JSON.stringify(python("app.fails")) });
    const failed = await fails.invoke({});
    assert.equal(failed.functionError, "Unhandled");
    assert.equal((failed.json as Json).errorType, "ValueError");
    assert.equal((failed.json as Json).errorMessage, "python handler failed");
    assert.ok(((failed.json as Json).stackTrace as string[]).some((l) => l.includes("app.py")));

    const sleeps = await start({
      KAPPA_FUNCTION: JSON.stringify(python("app.sleep", { timeoutSeconds: 1 })),
    });
    const timedOut = await sleeps.invoke({ seconds: 3 }, { "x-kappa-request-id": "py-timeout" });
    assert.equal(
      (timedOut.json as Json).errorMessage,
      "RequestId: py-timeout Error: Task timed out after 1.00 seconds",
    );
    assert.equal((await sleeps.invoke({ seconds: 0 })).text, '"slept"', "recovers after the timeout");

    const exits = await start({ KAPPA_FUNCTION: JSON.stringify(python("app.exits")) });
    const exited = await exits.invoke({});
    assert.equal((exited.json as Json).errorType, "Runtime.ExitError");
    assert.match((exited.json as Json).errorMessage as string, /exit status 7/);

    const marshal = await start({ KAPPA_FUNCTION: JSON.stringify(python("app.not_serializable")) });
    assert.equal(((await marshal.invoke({})).json as Json).errorType, "Runtime.MarshalError");
  });

  it("handles unicode, nested modules and init errors", async () => {
    const uni = await start({ KAPPA_FUNCTION: JSON.stringify(python("app.unicode")) });
    const res = await uni.invoke({ text: "ñandú ✓ 🐍" }, { "x-kappa-request-id": "py-uni" });
    assert.deepEqual(res.json, { echo: "ñandú ✓ 🐍" });
    assert.ok(uni.functionLogs("py-uni").some((l) => l.message === "héllo ✓ 🐍"));

    const nested = await start({ KAPPA_FUNCTION: JSON.stringify(python("pkg/nested.handler")) });
    assert.deepEqual((await nested.invoke({})).json, { module: "pkg/nested" });

    const cases: Array<[string, string, RegExp]> = [
      ["nomodule.handler", "Runtime.ImportModuleError", /Unable to import module 'nomodule'/],
      ["app.missing", "Runtime.HandlerNotFound", /Handler 'missing' missing on module 'app'/],
      ["broken.handler", "Runtime.UserCodeSyntaxError", /Syntax error in module 'broken'/],
    ];
    for (const [handler, errorType, message] of cases) {
      const agent = await start({ KAPPA_RUNTIME: "python3.11" });
      const spec = await agent.specialize(python(handler));
      assert.equal(((spec.json as { initError: Json }).initError ?? {}).errorType, errorType, handler);
      const invoked = await agent.invoke({});
      assert.equal(invoked.functionError, "Unhandled");
      assert.equal((invoked.json as Json).errorType, errorType);
      assert.match((invoked.json as Json).errorMessage as string, message);
    }
  });
});
