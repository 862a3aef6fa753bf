// Every example in examples/ runs, served by a real `kappa dev --dir examples` and driven by the real CLI, so
// the examples cannot rot (a change that breaks one fails here). Each check mirrors the line in
// examples/README.md that tells a user how to try it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually, repoRoot, startDev, type DevProcess } from "./kappa-process.js";

describe("the examples, end to end", () => {
  let dev: DevProcess;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(dev.state.httpUrl + path, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const json = async (args: string[]) => {
    const result = await dev.kappa(["-o", "json", ...args]);
    assert.equal(result.code, 0, `kappa ${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const logText = async (fn: string) => (await dev.kappa(["-o", "json", "logs", fn, "--tail", "500"])).stdout;

  before(async () => {
    dev = await startDev(join(repoRoot, "examples"));
  });
  after(async () => {
    await dev?.dispose();
  });

  it("loads every example without a problem", async () => {
    const out = await eventually("the banner", async () =>
      dev.output().includes("Ready in") ? dev.output() : undefined,
    );
    assert.doesNotMatch(out, /problem|warning/i);
    const functions = (await json(["list"])).items as { metadata: { name: string } }[];
    assert.deepEqual(functions.map((f) => f.metadata.name).sort(), [
      "echo-provided",
      "flaky",
      "hello",
      "hello-python",
      "order-worker",
      "private-hello",
      "secure-hello",
      "ticker",
      "token-check",
    ]);
  });

  it("hello: Node.js over HTTP", async () => {
    const { status, body } = await get("/function/default/hello?name=Ada");
    assert.equal(status, 200);
    assert.equal(body.message, "Hello, Ada!");
  });

  it("hello-python: Python on a Route", async () => {
    const { status, body } = await get("/hello-python?name=Ada");
    assert.equal(status, 200);
    assert.match(String(body.message), /^Hello from Python 3\.\d+\.\d+, Ada!$/);
    assert.match(String(body.requestId), /^[0-9a-f-]{36}$/);
  });

  it("api-key: 403 without the key, 200 with it, and no way around the Route at /function/...", async () => {
    assert.equal((await get("/private")).status, 403);
    assert.equal((await get("/function/default/private-hello")).status, 403);
    assert.equal((await get("/private", { "x-api-key": "wrong-key-wrong-key-wrong" })).status, 403);
    const ok = await get("/private", { "x-api-key": "kappa-demo-key-change-me" });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.message, "you hold a valid API key");
  });

  it("authorizer: 401 without a token, 403 with a wrong one, 200 with the right one", async () => {
    assert.equal((await get("/secure")).status, 401);
    assert.equal((await get("/secure", { authorization: "Bearer nope" })).status, 403);
    const ok = await get("/secure", { authorization: "Bearer let-me-in" });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { message: "authorized", user: "demo-user" });
  });

  it("custom-runtime: a bash bootstrap speaking the Runtime API", async () => {
    const out = await json(["invoke", "echo-provided", "--data", '{"hi":1}']);
    assert.deepEqual(out.payload, { echo: { hi: 1 }, handler: "echo", runtime: "provided (bash)" });
  });

  it("custom-runtime: an event larger than one command-line argument may be (128 KiB) gets its answer", async () => {
    const body = "x".repeat(200 * 1024);
    const response = await fetch(`${dev.state.httpUrl}/function/default/echo-provided`, {
      method: "POST",
      body,
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { echo: { body: string }; runtime: string };
    assert.equal(answer.runtime, "provided (bash)");
    assert.equal(answer.echo.body, body);
  });

  it("async-dlq: a failed Event invocation lands in the onFailure queue", async () => {
    assert.deepEqual((await json(["invoke", "flaky"])).payload, { ok: true });
    const accepted = await json(["invoke", "flaky", "--async", "--data", '{"fail":true}']);
    assert.equal(accepted.statusCode, 202);
    const record = await eventually(
      "the failure record in flaky-dlq",
      async () => {
        const out = await json(["queue", "receive", "flaky-dlq", "--wait", "10", "--delete"]);
        const message = (out.messages as { Body: string }[])[0];
        return message ? (JSON.parse(message.Body) as Record<string, unknown>) : undefined;
      },
      90_000,
    );
    assert.deepEqual(record.requestPayload, { fail: true });
    assert.equal((record.requestContext as { condition: string }).condition, "RetriesExhausted");
    assert.match(String((record.responsePayload as { errorMessage: string }).errorMessage), /asked to fail/);
  });

  it("queue-trigger: messages reach the Python worker in batches; a bad one is reported as a failed item", async () => {
    assert.equal((await dev.kappa(["queue", "send", "orders", "--body", '{"id":1}'])).code, 0);
    assert.equal((await dev.kappa(["queue", "send", "orders", "--body", '{"id":2,"bad":true}'])).code, 0);
    await eventually(
      "order 1 processed",
      async () =>
        (await logText("order-worker")).includes('order processed\\", \\"order\\": {\\"id\\": 1}')
          ? true
          : undefined,
      90_000,
    );
    await eventually(
      "order 2 rejected",
      async () =>
        (await logText("order-worker")).includes('order rejected\\", \\"order\\": {\\"id\\": 2')
          ? true
          : undefined,
      90_000,
    );
    // The rejected message was not deleted: it waits out its visibility timeout for another try (then the DLQ).
    const queues = (await json(["queue", "list"])).queues as {
      name: string;
      visible: number;
      inFlight: number;
    }[];
    const orders = queues.find((q) => q.name === "orders");
    assert.ok(
      orders && orders.visible + orders.inFlight >= 1,
      `order 2 is still in the queue: ${JSON.stringify(orders)}`,
    );
  });

  it("schedule: ticker runs by itself on rate(1 minute) with the schedule's payload", async () => {
    const direct = await json(["invoke", "ticker"]);
    assert.match(String((direct.payload as { tickedAt: string }).tickedAt), /^\d{4}-/);
    // The first scheduled run comes within a minute of start-up.
    await eventually(
      "a scheduled tick",
      async () => ((await logText("ticker")).includes("kappa.examples") ? true : undefined),
      120_000,
    );
  });
});
