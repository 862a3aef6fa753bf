// The HTTP port's invoke path against a real Redis and a real HTTP server speaking the agent contract.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AgentHeaders } from "../../../api/agent.js";
import {
  ScriptedAgent,
  call,
  echoResult,
  functionResource,
  respondWith,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type TestGateway,
} from "./support.js";

describe("gateway invoke path", () => {
  let gw: TestGateway;
  let agent: ScriptedAgent;
  const ns = uniquePrefix("ns");

  before(async () => {
    gw = await startTestGateway();
    agent = await ScriptedAgent.start(echoResult);
  });
  after(async () => {
    await gw.close();
    await agent.stop();
    await stopTestRedis();
  });

  test("a warm function gets a 2.0 event and its proxy response is returned", async () => {
    gw.store.upsert(functionResource(ns, "echo"));
    await gw.addInstance(ns, "echo", { url: agent.url, perInstance: 4 });
    const res = await call(`${gw.url}/function/${ns}/echo/a/b?x=1&x=2`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "a=1; b=2" },
      body: JSON.stringify({ hello: "world" }),
    });
    assert.equal(res.status, 200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an event is free-form JSON
    const event = res.json() as Record<string, any>;
    assert.equal(event.version, "2.0");
    assert.equal(event.rawPath, `/function/${ns}/echo/a/b`);
    assert.equal(event.rawQueryString, "x=1&x=2");
    assert.deepEqual(event.queryStringParameters, { x: "1,2" });
    assert.deepEqual(event.cookies, ["a=1", "b=2"]);
    assert.equal(event.headers.cookie, undefined);
    assert.deepEqual(event.pathParameters, { proxy: "a/b" });
    assert.equal(event.body, JSON.stringify({ hello: "world" }));
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.http.method, "POST");
    assert.equal(event.requestContext.requestId, res.headers["apigw-requestid"]);
    assert.equal(event.requestContext.stage, "$default");
    const last = agent.calls.at(-1)!;
    assert.equal(last.headers[AgentHeaders.requestId], res.headers["apigw-requestid"]);
    assert.ok(Number(last.headers[AgentHeaders.deadlineMs]) > Date.now());
  });

  test("unknown function and unknown route are 404 Not Found", async () => {
    const missing = await call(`${gw.url}/function/${ns}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: "Not Found" });
    const nowhere = await call(`${gw.url}/no/such/route`);
    assert.equal(nowhere.status, 404);
    assert.deepEqual(nowhere.json(), { message: "Not Found" });
  });

  test("a function error is 502 Internal server error", async () => {
    const failing = await ScriptedAgent.start(
      respondWith(
        { errorType: "Error", errorMessage: "boom" },
        { [AgentHeaders.functionError]: "Unhandled" },
      ),
    );
    gw.store.upsert(functionResource(ns, "fails"));
    await gw.addInstance(ns, "fails", { url: failing.url });
    const res = await call(`${gw.url}/function/${ns}/fails`);
    assert.equal(res.status, 502);
    assert.deepEqual(res.json(), { message: "Internal server error" });
    await failing.stop();
  });
});
