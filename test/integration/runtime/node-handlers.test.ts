// The Node.js handler host through the real agent: handler styles, the context object, Lambda's environment,
// errors in Lambda's shape, payload edge cases and per-invocation logs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AgentProcess, fixture, fixtureFunction } from "./agent-process.js";

type Json = Record<string, unknown>;

describe("node handler host", () => {
  const agents = new Map<string, AgentProcess>();

  async function agentFor(handler: string, extra: Json = {}): Promise<AgentProcess> {
    const key = handler + JSON.stringify(extra);
    let agent = agents.get(key);
    if (!agent) {
      const fn = fixtureFunction("node-basic", handler, { env: { GREETING: "hi" }, ...extra });
      agent = await AgentProcess.start({ KAPPA_FUNCTION: JSON.stringify(fn) });
      agents.set(key, agent);
    }
    return agent;
  }

  let generic: AgentProcess;
  before(async () => {
    generic = await AgentProcess.start({ KAPPA_RUNTIME: "nodejs20" });
  });
  after(async () => {
    await Promise.all([...agents.values(), generic].map((a) => a.stop()));
  });

  it("runs an async handler with Lambda's context object", async () => {
    const agent = await agentFor("index.echo");
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: "v" } })).toString("base64");
    const res = await agent.invoke(
      { hello: "world" },
      { "x-kappa-request-id": "req-ctx-1", "x-kappa-client-context": clientContext },
    );
    assert.equal(res.status, 200);
    assert.equal(res.functionError, undefined);
    const body = res.json as Json;
    assert.deepEqual(body.event, { hello: "world" });
    const ctx = body.context as Json;
    assert.equal(ctx.awsRequestId, "req-ctx-1");
    assert.equal(ctx.functionName, "test-fn");
    assert.equal(ctx.functionVersion, "$LATEST");
    assert.equal(ctx.invokedFunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:test-fn");
    assert.equal(ctx.memoryLimitInMB, "128");
    assert.equal(ctx.callbackWaitsForEmptyEventLoop, true);
    assert.equal(ctx.logGroupName, "/aws/lambda/test-fn");
    assert.match(ctx.logStreamName as string, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]+$/);
    assert.deepEqual(ctx.clientContext, { custom: { k: "v" } });
    const remaining = ctx.remaining as number;
    assert.ok(
      remaining > 0 && remaining <= 3000,
      `remaining time ${remaining} within the 3 s default timeout`,
    );
  });

  it("keeps module state between invocations (a warm process)", async () => {
    const agent = await agentFor("index.echo");
    const first = (await agent.invoke({})).json as Json;
    const second = (await agent.invoke({})).json as Json;
    assert.equal(second.invocations, (first.invocations as number) + 1);
  });

  it("honours the deadline and invoked ARN headers", async () => {
    const agent = await agentFor("index.echo");
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:test-fn:live";
    const res = await agent.invoke(
      {},
      { "x-kappa-deadline-ms": String(Date.now() + 60_000), "x-kappa-invoked-arn": arn },
    );
    const ctx = (res.json as Json).context as Json;
    assert.equal(ctx.invokedFunctionArn, arn);
    assert.ok((ctx.remaining as number) > 3000);
  });

  it("sets Lambda's environment variables and a writable temp dir", async () => {
    const agent = await agentFor("index.env");
    const res = await agent.invoke({});
    const body = res.json as { env: Json; tmpdir: string; tmpWrite: string; cwd: string };
    const root = fixture("node-basic");
    assert.equal(body.env.AWS_LAMBDA_FUNCTION_NAME, "test-fn");
    assert.equal(body.env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
    assert.equal(body.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "128");
    assert.equal(body.env._HANDLER, "index.env");
    assert.equal(body.env.LAMBDA_TASK_ROOT, root);
    assert.ok(body.env.LAMBDA_RUNTIME_DIR);
    assert.equal(body.env.AWS_REGION, "us-east-1");
    assert.equal(body.env.AWS_DEFAULT_REGION, "us-east-1");
    assert.equal(body.env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
    assert.equal(body.env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/test-fn");
    assert.ok(body.env.AWS_LAMBDA_LOG_STREAM_NAME);
    assert.match(body.env.AWS_LAMBDA_RUNTIME_API as string, /^127\.0\.0\.1:\d+$/);
    assert.equal(body.env.TZ, ":UTC");
    assert.equal(body.env.GREETING, "hi");
    assert.match(
      body.env._X_AMZN_TRACE_ID as string,
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    assert.equal(body.env.AWS_LAMBDA_INITIALIZATION_TYPE, "on-demand");
    assert.equal(body.tmpWrite, "written");
    assert.match(body.tmpdir, /kappa-tmp-/);
    assert.equal(body.cwd, root);
  });

  it("supports callback-style handlers, waiting for the event loop to empty", async () => {
    const cb = await (await agentFor("index.callback")).invoke({ value: 7 });
    assert.deepEqual(cb.json, { style: "callback", got: 7 });
    const waits = await agentFor("index.callbackWaits");
    const res = await waits.invoke({}, { "x-kappa-log-type": "Tail" });
    assert.deepEqual(res.json, { style: "callback", timerPending: true });
    assert.match(res.log ?? "", /timer ran true/, "the pending timer ran before the invocation ended");
    const noWait = await (await agentFor("index.noWait")).invoke({}, { "x-kappa-log-type": "Tail" });
    assert.equal(noWait.text, '"sent without waiting"');
    assert.doesNotMatch(noWait.log ?? "", /late timer ran/, "the result did not wait for the timer");
    const failed = await (await agentFor("index.callbackError")).invoke({});
    assert.equal(failed.functionError, "Unhandled");
    assert.equal((failed.json as Json).errorMessage, "callback failed");
  });

  it("reports thrown errors and rejected promises in Lambda's shape", async () => {
    const thrown = await (await agentFor("index.throws")).invoke({});
    assert.equal(thrown.status, 200);
    assert.equal(thrown.functionError, "Unhandled");
    const body = thrown.json as Json;
    assert.equal(body.errorType, "TypeError");
    assert.equal(body.errorMessage, "bad thing happened");
    assert.ok(
      Array.isArray(body.stackTrace) && (body.stackTrace as string[]).some((l) => l.includes("index.js")),
    );
    const rejected = (await (await agentFor("index.rejects")).invoke({})).json as Json;
    assert.equal(rejected.errorType, "RangeError");
    assert.equal(rejected.errorMessage, "rejected on purpose");
    const str = (await (await agentFor("index.throwsString")).invoke({})).json as Json;
    assert.equal(str.errorType, "string");
    assert.equal(str.errorMessage, "plain string error");
  });

  it("returns undefined as null, strings as JSON strings, and unmarshalable results as errors", async () => {
    assert.equal((await (await agentFor("index.nothing")).invoke({})).text, "null");
    assert.equal((await (await agentFor("index.text")).invoke({})).text, '"plain text, not an object"');
    const circular = await (await agentFor("index.circular")).invoke({});
    assert.equal(circular.functionError, "Unhandled");
    assert.equal((circular.json as Json).errorType, "Runtime.MarshalError");
  });

  it("passes unicode through events, results and logs", async () => {
    const agent = await agentFor("index.unicode");
    const res = await agent.invoke({ text: "žluťoučký kůň ✓ 😀" }, { "x-kappa-request-id": "req-unicode" });
    assert.deepEqual(res.json, { echo: "žluťoučký kůň ✓ 😀", extra: "ünïcödé ✓ 🎉" });
    const logs = agent.functionLogs("req-unicode");
    assert.ok(logs.some((l) => l.message === "héllo wörld ✓ 日本語 🎉"));
  });

  it("round-trips binary data as base64", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await (await agentFor("index.binary")).invoke({ base64: bytes.toString("base64") });
    const body = res.json as { body: string; isBase64Encoded: boolean; length: number };
    assert.equal(body.isBase64Encoded, true);
    assert.equal(body.length, 256);
    assert.deepEqual(Buffer.from(body.body, "base64"), Buffer.from(bytes).reverse());
  });

  it("returns results up to 6 MB and a Lambda error beyond", async () => {
    const agent = await agentFor("index.big");
    const ok = await agent.invoke({ bytes: 6 * 1024 * 1024 - 10 });
    assert.equal(ok.functionError, undefined);
    assert.equal(ok.text.length, 6 * 1024 * 1024 - 8);
    const tooBig = await agent.invoke({ bytes: 6 * 1024 * 1024 + 1000 });
    assert.equal(tooBig.functionError, "Unhandled");
    assert.equal((tooBig.json as Json).errorType, "Function.ResponseSizeTooLarge");
    assert.match(
      (tooBig.json as Json).errorMessage as string,
      /exceeded maximum allowed payload size \(6291556 bytes\)/,
    );
    const after = await agent.invoke({ bytes: 3 });
    assert.equal(after.text, '"xxx"', "the instance keeps serving");
  });

  it("refuses a request body over 6 MB", async () => {
    const agent = await agentFor("index.echo");
    const res = await agent.invoke(JSON.stringify({ pad: "y".repeat(6 * 1024 * 1024 + 10) }));
    assert.equal(res.status, 413);
    assert.equal((res.json as Json).code, "RequestTooLarge");
  });

  it("captures stdout and stderr per invocation and returns the log tail", async () => {
    const agent = await agentFor("index.logs");
    const res = await agent.invoke(
      { lines: 200 },
      { "x-kappa-request-id": "req-logs", "x-kappa-log-type": "Tail" },
    );
    assert.equal(res.text, '"logged"');
    const logs = agent.functionLogs("req-logs");
    assert.equal(logs.filter((l) => l.stream === "stdout" && l.message.startsWith("line ")).length, 200);
    assert.ok(logs.some((l) => l.stream === "stderr" && l.message === "to stderr" && l.level === "error"));
    assert.ok(
      logs.some((l) => l.message === "no newline at the end"),
      "an unterminated last line is kept",
    );
    assert.ok(logs.every((l) => l.function === "default/test-fn"));
    const tail = Buffer.from(res.headers["x-kappa-log-result"] as string, "base64");
    assert.ok(tail.length <= 4096 && tail.length > 3000, `tail is the last 4 KB, got ${tail.length}`);
    assert.match(res.log!, /line 199 /);
    assert.match(res.log!, /END RequestId: req-logs\nREPORT RequestId: req-logs\tDuration: /);
    assert.doesNotMatch(res.log!, /line 0 /, "old lines fell out of the tail");
    const noTail = await agent.invoke({ lines: 1 });
    assert.equal(noTail.headers["x-kappa-log-result"], undefined);
  });

  it("answers 503 before specialization, and serves health and metrics", async () => {
    assert.equal((await generic.get("/healthz")).status, 200);
    assert.equal((await generic.get("/readyz")).status, 503);
    const res = await generic.invoke({});
    assert.equal(res.status, 503);
    assert.equal((res.json as Json).code, "NotReady");
    const agent = await agentFor("index.echo");
    assert.equal((await agent.get("/readyz")).status, 200);
    await agent.invoke({});
    const metrics = await agent.get("/metrics");
    assert.match(metrics.text, /kappa_runtime_invocations_total\{outcome="success"\} [1-9]/);
  });

  it("requires a request id", async () => {
    const agent = await agentFor("index.echo");
    const res = await agent.invoke({}, { "x-kappa-request-id": "" });
    assert.equal(res.status, 400);
    assert.match((res.json as Json).message as string, /x-kappa-request-id/);
  });
});
