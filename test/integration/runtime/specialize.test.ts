// Specializing a generic (warm pool) instance, module formats and handler paths, bad requests, env limits
// and init errors reported as Lambda reports them.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { SpecializeRequest } from "../../../api/agent.js";
import { AgentProcess, fixtureFunction, runSetup } from "./agent-process.js";

type Json = Record<string, unknown>;

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("specialization", () => {
  const started: AgentProcess[] = [];
  async function start(env: Record<string, string>): Promise<AgentProcess> {
    const agent = await AgentProcess.start(env);
    started.push(agent);
    return agent;
  }
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
  });

  it("loads inline files into a generic nodejs20 instance, then serves invokes", async () => {
    const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
    assert.equal((await agent.get("/readyz")).status, 503);
    const request: SpecializeRequest = {
      namespace: "team-a",
      name: "inline",
      runtime: "nodejs20",
      handler: "src/app.handler",
      code: {
        files: {
          "package.json": b64('{"type":"commonjs"}'),
          "src/app.js": b64(
            "exports.handler = async (e, ctx) => ({ from: 'inline', greeting: process.env.GREETING, name: ctx.functionName, root: process.env.LAMBDA_TASK_ROOT, cwd: process.cwd() });",
          ),
        },
      },
      env: { GREETING: "hola" },
      codeSha256: "abc",
    };
    const res = await agent.specialize(request);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ready: true, function: "team-a/inline" });
    assert.equal((await agent.get("/readyz")).status, 200);
    const invoked = await agent.invoke({});
    const body = invoked.json as Json;
    assert.equal(body.from, "inline");
    assert.equal(body.greeting, "hola", "the primed process received the function's env");
    assert.equal(body.name, "inline");
    assert.equal(body.cwd, body.root);
    const again = await agent.specialize(request);
    assert.equal(again.status, 200, "specializing again for the same function is a no-op");
    const other = await agent.specialize({ ...request, name: "other" });
    assert.equal(other.status, 409);
    assert.equal((other.json as Json).code, "AlreadySpecialized");
  });

  it("loads ES modules (type: module, top-level await), .mjs files with nested exports, and nested paths", async () => {
    const cases: Array<[string, string, Json]> = [
      ["node-esm", "index.handler", { module: "esm", started: "top-level await works" }],
      ["node-mjs", "lib/handler.handler", { module: "mjs" }],
      ["node-mjs", "lib/handler.nested.deep", { module: "mjs", path: "lib/handler.nested.deep" }],
      ["node-nested", "src/app.handler", { module: "nested", file: "src/app.js" }],
    ];
    for (const [dir, handler, expected] of cases) {
      const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
      assert.equal((await agent.specialize(fixtureFunction(dir, handler))).status, 200);
      const res = await agent.invoke({ n: 1 });
      assert.equal(res.functionError, undefined, `${dir} ${handler}: ${res.text}`);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual((res.json as Json)[key], value);
      await agent.stop();
    }
  });

  it("rejects bad requests with a message naming the field", async () => {
    const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
    const base = fixtureFunction("node-basic", "index.echo");
    const cases: Array<[unknown, RegExp]> = [
      ["not json", /JSON SpecializeRequest/],
      [{ ...base, handler: "nodot" }, /handler must be <file>.<export>/],
      [{ ...base, runtime: "ruby3.2" }, /runtime must be one of/],
      [{ ...base, code: { dir: "relative/dir" } }, /code.dir must be an absolute path/],
      [{ ...base, code: { files: { "../escape.js": "" } } }, /must be a relative path inside the task root/],
      [{ ...base, timeoutSeconds: 901 }, /timeoutSeconds must be an integer from 1 to 900/],
      [{ ...base, env: { AWS_REGION: "eu-west-1" } }, /env key "AWS_REGION" is reserved/],
      [{ ...base, env: { BIG: "x".repeat(5000) } }, /Lambda's limit is 4096 bytes/],
      [{ ...base, env: { "1BAD": "x" } }, /not a valid name/],
      [{ ...base, env: { N: 5 } }, /env.N must be a string/],
      [{ ...base, runtime: "python3.11" }, /cannot run on this nodejs20 instance/],
      [{ ...base, code: { dir: "/no/such/dir" } }, /is not a directory/],
    ];
    for (const [body, message] of cases) {
      const res = await agent.specialize(typeof body === "string" ? body : (body as SpecializeRequest));
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 100));
      assert.equal((res.json as Json).code, "BadRequest");
      assert.match((res.json as Json).message as string, message);
    }
    assert.equal((await agent.get("/readyz")).status, 503, "bad requests leave the instance generic");
    const good = await agent.specialize(base);
    assert.equal(good.status, 200, "a good request still works after bad ones");
  });

  it("accepts env of exactly 4 KB", async () => {
    const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
    const res = await agent.specialize(
      fixtureFunction("node-basic", "index.env", { env: { BIG: "x".repeat(4093) } }),
    );
    assert.equal(res.status, 200);
  });

  it("reports init errors once and returns them on invokes as Lambda does", async () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ["node-init-syntax", "index.handler", "Runtime.UserCodeSyntaxError", /SyntaxError/],
      [
        "node-basic",
        "index.missing",
        "Runtime.HandlerNotFound",
        /index.missing is undefined or not exported/,
      ],
      ["node-basic", "nofile.handler", "Runtime.ImportModuleError", /Cannot find module 'nofile'/],
      [
        "node-init-missing-dep",
        "index.handler",
        "Runtime.ImportModuleError",
        /a-package-that-is-not-installed/,
      ],
      ["node-init-throw", "index.handler", "Error", /failed while loading the module/],
    ];
    for (const [dir, handler, errorType, message] of cases) {
      const agent = await start({ KAPPA_RUNTIME: "nodejs20" });
      const res = await agent.specialize(fixtureFunction(dir, handler));
      assert.equal(res.status, 200);
      const initError = (res.json as { initError: Json }).initError;
      assert.equal(initError.errorType, errorType, `${dir} ${handler}`);
      assert.match(initError.errorMessage as string, message);
      for (let i = 0; i < 2; i++) {
        const invoked = await agent.invoke({});
        assert.equal(invoked.status, 200);
        assert.equal(invoked.functionError, "Unhandled");
        assert.equal((invoked.json as Json).errorType, errorType);
      }
      const reports = agent.lines.filter((l) => l.includes("function init failed"));
      assert.equal(reports.length, 1, "the init error is logged once, not on every retry");
      await agent.stop();
    }
  });

  it("stops an init that outlasts the init limit and reports it", async () => {
    const agent = await start({ KAPPA_RUNTIME: "nodejs20", KAPPA_INIT_TIMEOUT_SECONDS: "1" });
    const res = await agent.specialize(fixtureFunction("node-init-slow", "index.handler"));
    assert.equal(res.status, 200);
    const initError = (res.json as { initError: Json }).initError;
    assert.deepEqual(initError, {
      errorType: "Runtime.InitTimeout",
      errorMessage: "Init timed out after 1.00 seconds",
    });
    const invoked = await agent.invoke({});
    assert.equal((invoked.json as Json).errorType, "Runtime.InitTimeout");
  });

  it("runs nodejs22 with a configured Node 22 binary", { timeout: 300_000 }, async (t) => {
    const node22 = runSetup("./setup-node22.sh");
    if (!node22) return t.skip("no Node 22 binary could be installed");
    const agent = await start({ KAPPA_RUNTIME: "nodejs22", KAPPA_NODE22_BIN: node22 });
    const res = await agent.specialize({
      ...fixtureFunction("node-basic", "index.env"),
      runtime: "nodejs22",
    });
    assert.equal(res.status, 200);
    const body = (await agent.invoke({})).json as { env: Json; nodeVersion: string };
    assert.equal(body.env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs22.x");
    assert.match(body.nodeVersion, /^v22\./);
  });

  it("refuses nodejs22 where no Node 22 binary is configured", async () => {
    const agent = await start({ KAPPA_NODE22_BIN: "" });
    const res = await agent.specialize({
      ...fixtureFunction("node-basic", "index.env"),
      runtime: "nodejs22",
    });
    assert.equal(res.status, 400);
    assert.match((res.json as Json).message as string, /KAPPA_NODE22_BIN/);
  });
});
