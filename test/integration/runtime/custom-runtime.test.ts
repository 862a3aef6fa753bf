// The Lambda Runtime API judged by real clients: a hand-written bootstrap, the official Node.js runtime
// interface client (aws-lambda-ric, native code) and a Go function built with github.com/aws/aws-lambda-go.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AgentProcess, fixture, fixtureFunction, runSetup } from "./agent-process.js";

type Json = Record<string, unknown>;

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("custom runtimes (provided)", { timeout: 900_000 }, () => {
  const started: AgentProcess[] = [];
  async function start(env: Record<string, string>): Promise<AgentProcess> {
    const agent = await AgentProcess.start(env);
    started.push(agent);
    return agent;
  }
  after(async () => {
    await Promise.all(started.map((a) => a.stop()));
  });

  it("runs an executable bootstrap and passes non-JSON results through", async () => {
    const agent = await start({
      KAPPA_FUNCTION: JSON.stringify(fixtureFunction("provided-text", "my.handler", { runtime: "provided" })),
    });
    const res = await agent.invoke("raw event", {
      "x-kappa-request-id": "custom-1",
      "content-type": "text/plain",
    });
    assert.equal(res.status, 200);
    assert.equal(res.text, "plain text for my.handler: raw event");
    assert.equal(res.headers["content-type"], "text/plain");
    assert.ok(agent.functionLogs("custom-1").some((l) => l.message === "custom runtime got raw event"));
  });

  it("reports a missing bootstrap as Runtime.InvalidEntrypoint", async () => {
    const agent = await start({ KAPPA_RUNTIME: "provided" });
    const res = await agent.specialize(fixtureFunction("node-basic", "x", { runtime: "provided" }));
    assert.equal(res.status, 200);
    assert.equal(((res.json as { initError: Json }).initError ?? {}).errorType, "Runtime.InvalidEntrypoint");
  });

  it("runs a function through the official aws-lambda-ric unchanged", async (t) => {
    const ricDir = runSetup("./setup-ric.sh");
    if (!ricDir) return t.skip("aws-lambda-ric could not be built here");
    const ric = join(ricDir, "node_modules", "aws-lambda-ric", "bin", "index.mjs");
    const app = fixture("ric-app");
    const agent = await start({ KAPPA_RUNTIME: "provided" });
    const spec = await agent.specialize({
      namespace: "default",
      name: "ric-fn",
      runtime: "provided",
      handler: "app.handler",
      code: {
        files: {
          bootstrap: b64(
            `#!/bin/sh\ncd "$LAMBDA_TASK_ROOT"\nexec "${process.execPath}" "${ric}" "$_HANDLER"\n`,
          ),
          "app.js": b64(readFileSync(join(app, "app.js"), "utf8")),
          "package.json": b64(readFileSync(join(app, "package.json"), "utf8")),
        },
      },
    });
    assert.equal(spec.status, 200, JSON.stringify(spec.json));
    assert.equal((spec.json as Json).initError, undefined, JSON.stringify(spec.json));
    const clientContext = Buffer.from(JSON.stringify({ custom: { via: "ric" } })).toString("base64");
    const res = await agent.invoke(
      { n: 42 },
      { "x-kappa-request-id": "ric-1", "x-kappa-client-context": clientContext, "x-kappa-log-type": "Tail" },
    );
    assert.equal(res.functionError, undefined, res.text);
    const body = res.json as Json;
    assert.equal(body.via, "aws-lambda-ric");
    assert.equal(body.requestId, "ric-1");
    assert.equal(body.functionName, "ric-fn");
    assert.equal(body.arn, "arn:aws:lambda:us-east-1:000000000000:function:ric-fn");
    assert.ok((body.remaining as number) > 0);
    assert.deepEqual((body.clientContext as Json).custom, { via: "ric" });
    assert.deepEqual(body.event, { n: 42 });
    assert.match(res.log ?? "", /ric handler got/);
    const failed = await agent.invoke({ fail: true });
    assert.equal(failed.functionError, "Unhandled");
    const error = failed.json as Json;
    assert.equal(error.errorType, "Error");
    assert.equal(error.errorMessage, "ric handler asked to fail");
    assert.ok(Array.isArray(error.stackTrace), "the RIC's `trace` is also given as stackTrace");
    const again = await agent.invoke({ n: 2 });
    assert.deepEqual((again.json as Json).event, { n: 2 }, "the RIC keeps serving after an error");
  });

  it("runs a Lambda container image entrypoint given as KAPPA_BOOTSTRAP", async (t) => {
    const ricDir = runSetup("./setup-ric.sh");
    if (!ricDir) return t.skip("aws-lambda-ric could not be built here");
    const ric = join(ricDir, "node_modules", "aws-lambda-ric", "bin", "index.mjs");
    const agent = await start({
      KAPPA_BOOTSTRAP: JSON.stringify([process.execPath, ric, "app.handler"]),
      KAPPA_FUNCTION: JSON.stringify({
        namespace: "default",
        name: "image-fn",
        runtime: "provided",
        handler: "app.handler",
        code: { dir: fixture("ric-app") },
      }),
    });
    const res = await agent.invoke({ image: true });
    assert.equal(res.functionError, undefined, res.text);
    assert.equal((res.json as Json).functionName, "image-fn");
  });

  it("runs a Go function built with aws-lambda-go unchanged", async (t) => {
    const goDir = runSetup("./setup-go-bootstrap.sh");
    if (!goDir) return t.skip("the Go bootstrap could not be built here");
    const agent = await start({
      KAPPA_FUNCTION: JSON.stringify({
        namespace: "default",
        name: "go-fn",
        runtime: "provided",
        handler: "bootstrap",
        code: { dir: goDir },
        timeoutSeconds: 5,
      }),
    });
    const res = await agent.invoke({ name: "gopher" }, { "x-kappa-request-id": "go-1" });
    assert.equal(res.functionError, undefined, res.text);
    assert.deepEqual(res.json, {
      greeting: "hello gopher",
      requestId: "go-1",
      functionName: "go-fn",
      hasDeadline: true,
    });
    const failed = await agent.invoke({ fail: true });
    assert.equal(failed.functionError, "Unhandled");
    assert.equal((failed.json as Json).errorMessage, "asked to fail");
    assert.equal((failed.json as Json).errorType, "errorString");
    const again = await agent.invoke({ name: "again" });
    assert.equal((again.json as Json).greeting, "hello again");
  });
});
