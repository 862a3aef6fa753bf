// The HTTP port at its edges: hostile paths and headers, oversized and slow bodies, timeouts, reserved
// concurrency, Routes (payload 1.0, hot reload), CORS. Real Redis, real HTTP servers speaking the agent contract.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { AgentHeaders } from "../../../api/agent.js";
import {
  ScriptedAgent,
  call,
  echoResult,
  eventually,
  functionResource,
  respondWith,
  routeResource,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type TestGateway,
} from "./support.js";

/** Sends raw bytes and returns whatever the server answers (or "" if it closed silently). */
function rawExchange(
  port: number,
  chunks: Array<{ data: string; delayMs?: number }>,
  waitMs = 5_000,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (d) => (received += d.toString()));
    socket.on("close", done);
    socket.on("error", done);
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (chunk.delayMs) await new Promise((r) => setTimeout(r, chunk.delayMs));
        if (socket.destroyed) return;
        socket.write(chunk.data);
      }
    });
  });
}

describe("gateway HTTP edges", () => {
  let gw: TestGateway;
  let agent: ScriptedAgent;
  const ns = uniquePrefix("edge");

  before(async () => {
    gw = await startTestGateway({ limits: { bodyTimeoutMs: 500, headersTimeoutMs: 500 } });
    agent = await ScriptedAgent.start(echoResult);
    gw.store.upsert(functionResource(ns, "echo", { concurrency: { perInstance: 100 } }));
    await gw.addInstance(ns, "echo", { url: agent.url, perInstance: 100 });
  });
  after(async () => {
    await gw.close();
    await agent.stop();
    await stopTestRedis();
  });

  test("path traversal and odd names in function paths are 400 and never reach a function", async () => {
    const before = agent.calls.length;
    for (const path of [
      `/function/${ns}/../echo`,
      `/function/${ns}/%2e%2e/echo`,
      `/function/${ns}/echo/%2e%2e/%2e%2e/x`,
      `/function/${ns}/echo/a%2fb`,
      `/function/${ns}/ECHO`,
      `/function/${ns}/echo%00`,
    ]) {
      const res = await call(`${gw.url}${path}`);
      assert.equal(res.status, 400, path);
      assert.match((res.json() as { message: string }).message, /path|function/);
    }
    assert.equal(agent.calls.length, before);
  });

  test("a client cannot set the agent's headers or spoof its source address", async () => {
    const res = await call(`${gw.url}/function/${ns}/echo`, {
      headers: {
        [AgentHeaders.requestId]: "forged-id",
        [AgentHeaders.deadlineMs]: "1",
        [AgentHeaders.functionError]: "Unhandled",
        "x-forwarded-for": "6.6.6.6",
      },
    });
    assert.equal(res.status, 200);
    const last = agent.calls.at(-1)!;
    assert.notEqual(last.headers[AgentHeaders.requestId], "forged-id");
    assert.ok(Number(last.headers[AgentHeaders.deadlineMs]) > Date.now());
    const event = res.json() as {
      requestContext: { requestId: string; http: { sourceIp: string } };
      headers: Record<string, string>;
    };
    assert.equal(event.requestContext.requestId, res.headers["apigw-requestid"]);
    assert.equal(event.requestContext.http.sourceIp, "127.0.0.1");
    // The client's headers reach the function inside the event, as data.
    assert.equal(event.headers["x-forwarded-for"], "6.6.6.6");
  });

  test("a function cannot inject response headers (CRLF) — 502, not a split response", async () => {
    const evil = await ScriptedAgent.start(
      respondWith({ statusCode: 200, headers: { "x-a": "1\r\nset-cookie: session=stolen" }, body: "x" }),
    );
    gw.store.upsert(functionResource(ns, "evil"));
    await gw.addInstance(ns, "evil", { url: evil.url });
    const res = await call(`${gw.url}/function/${ns}/evil`);
    assert.equal(res.status, 502);
    assert.equal(res.headers["set-cookie"], undefined);
    assert.deepEqual(res.json(), { message: "Internal server error" });
    await evil.stop();
  });

  test("a body over 6 MB is 413 (declared or streamed) and never reaches the function", async () => {
    const before = agent.calls.length;
    const big = Buffer.alloc(6 * 1024 * 1024 + 1, 97);
    const declared = await call(`${gw.url}/function/${ns}/echo`, { method: "POST", body: big }).catch(
      (e: Error) => e,
    );
    if (!(declared instanceof Error)) {
      assert.equal(declared.status, 413);
      assert.deepEqual(declared.json(), { message: "Request Entity Too Large" });
    }
    // Chunked, so the size is only known while reading.
    async function* chunks() {
      for (let i = 0; i < 7; i++) yield Buffer.alloc(1024 * 1024, 98);
    }
    const streamed = await call(`${gw.url}/function/${ns}/echo`, {
      method: "POST",
      body: Readable.from(chunks()),
    }).catch((e: Error) => e);
    if (!(streamed instanceof Error)) assert.equal(streamed.status, 413);
    assert.equal(agent.calls.length, before);
  });

  test("an async payload over 1 MB is 413", async () => {
    const res = await call(`${gw.url}/async/function/${ns}/echo`, {
      method: "POST",
      body: Buffer.alloc(1024 * 1024 + 1, 97),
    }).catch((e: Error) => e);
    if (!(res instanceof Error)) assert.equal(res.status, 413);
  });

  test("slowloris: a body trickled past the body timeout gets 408 and the connection closes", async () => {
    const answer = await rawExchange(gw.gateway.port, [
      { data: `POST /function/${ns}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n` },
      { data: "a", delayMs: 200 },
      { data: "b", delayMs: 200 },
      { data: "c", delayMs: 200 },
      { data: "d", delayMs: 200 },
    ]);
    assert.match(answer, /^HTTP\/1.1 408/);
  });

  test("a client that leaves before its body arrives is counted as 499, not as a gateway failure", async () => {
    const leaves = () =>
      rawExchange(
        gw.gateway.port,
        [{ data: `POST /function/${ns}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf` }],
        250, // then it closes: well before the body timeout (500 ms here) would answer 408
      );
    await leaves();
    await leaves();
    const route = `route="ANY /function/${ns}/echo",function="${ns}/echo"`;
    await eventually(async () =>
      assert.match(await gw.registry.metrics(), new RegExp(`requests_total\\{${route},status="499"\\} 2\\b`)),
    );
    assert.doesNotMatch(await gw.registry.metrics(), new RegExp(`requests_total\\{${route},status="500"\\}`));
  });

  test("slowloris: headers never finished are cut off by the headers timeout", async () => {
    const started = Date.now();
    const answer = await rawExchange(
      gw.gateway.port,
      [
        { data: `GET /function/${ns}/echo HTTP/1.1\r\nHost: x\r\n` },
        { data: "X-Slow: 1\r\n", delayMs: 300 },
        { data: "X-Slow: 2\r\n", delayMs: 300 },
        { data: "X-Slow: 3\r\n", delayMs: 300 },
        { data: "X-Slow: 4\r\n", delayMs: 300 },
        { data: "X-Slow: 5\r\n", delayMs: 300 },
        { data: "X-Slow: 6\r\n", delayMs: 300 },
        { data: "X-Slow: 7\r\n", delayMs: 300 },
        { data: "X-Slow: 8\r\n", delayMs: 300 },
        { data: "X-Slow: 9\r\n", delayMs: 300 },
        { data: "X-Slow: 10\r\n", delayMs: 300 },
      ],
      10_000,
    );
    // Node answers 408 (or just closes); either way the connection did not stay open for the whole trickle.
    assert.ok(answer === "" || /^HTTP\/1.1 408/.test(answer), answer);
    assert.ok(Date.now() - started < 10_000);
  });

  test("a function slower than its timeout is 504 Endpoint request timed out", async () => {
    const slow = await ScriptedAgent.start(() => undefined); // never answers
    gw.store.upsert(functionResource(ns, "slow", { timeoutSeconds: 1 }));
    await gw.addInstance(ns, "slow", { url: slow.url });
    const res = await call(`${gw.url}/function/${ns}/slow`);
    assert.equal(res.status, 504);
    assert.deepEqual(res.json(), { message: "Endpoint request timed out" });
    await slow.stop();
  });

  test("a Route's timeoutMilliseconds ends a call the function has not answered: 504", async () => {
    const slow = await ScriptedAgent.start(() => undefined); // never answers
    // The function may run 15 minutes; the Route allows 300 ms.
    gw.store.upsert(functionResource(ns, "slow-route", { timeoutSeconds: 900 }));
    await gw.addInstance(ns, "slow-route", { url: slow.url });
    gw.store.upsert(
      routeResource(ns, "bounded", {
        path: `/${ns}/bounded`,
        function: { name: "slow-route" },
        timeoutMilliseconds: 300,
      }),
    );
    // Far above 300 ms, far below the function's timeout: only the Route's bound can answer within it.
    const res = await call(`${gw.url}/${ns}/bounded`, { headersTimeout: 10_000 });
    assert.equal(res.status, 504);
    assert.deepEqual(res.json(), { message: "Endpoint request timed out" });
    assert.equal(slow.calls.length, 1, "the function was called");
    gw.store.delete("Route", ns, "bounded");
    await slow.stop();
  });

  test("a Route's timeoutMilliseconds also bounds the wait for an instance: 503 from the activator", async () => {
    // No instance ever becomes ready; the activator alone would hold the request for a minute.
    gw.store.upsert(functionResource(ns, "never-ready"));
    gw.store.upsert(
      routeResource(ns, "waiting", {
        path: `/${ns}/waiting`,
        function: { name: "never-ready" },
        timeoutMilliseconds: 300,
      }),
    );
    const res = await call(`${gw.url}/${ns}/waiting`, { headersTimeout: 10_000 });
    assert.equal(res.status, 503);
    assert.deepEqual(res.json(), { message: "Service Unavailable" });
    assert.equal(res.headers["retry-after"], "1");
    gw.store.delete("Route", ns, "waiting");
  });

  test("reserved concurrency: a function at its cap gets 429 at once", async () => {
    const gate: Array<() => void> = [];
    const held = await ScriptedAgent.start((_call, res) => {
      gate.push(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: 200, body: "done" }));
      });
    });
    gw.store.upsert(functionResource(ns, "capped", { concurrency: { perInstance: 10, reserved: 2 } }));
    await gw.addInstance(ns, "capped", { url: held.url, perInstance: 10 });
    const first = [call(`${gw.url}/function/${ns}/capped`), call(`${gw.url}/function/${ns}/capped`)];
    await eventually(() => assert.equal(held.calls.length, 2));
    const third = await call(`${gw.url}/function/${ns}/capped`);
    assert.equal(third.status, 429);
    assert.equal(third.headers["retry-after"], "1");
    for (const release of gate) release();
    assert.deepEqual(
      (await Promise.all(first)).map((r) => r.status),
      [200, 200],
    );
    // Capacity is back once they finish.
    const later = call(`${gw.url}/function/${ns}/capped`);
    await eventually(() => assert.equal(held.calls.length, 3));
    gate[2]!();
    assert.equal((await later).status, 200);
    await held.stop();
  });

  test("Routes: payload 1.0, path parameters, hot reload without restart, deleted route is 404", async () => {
    gw.store.upsert(
      routeResource(ns, "users", {
        path: `/${ns}/users/{id}`,
        methods: ["GET"],
        function: { name: "echo" },
        payloadFormatVersion: "1.0",
      }),
    );
    const res = await call(`${gw.url}/${ns}/users/42?a=1`);
    assert.equal(res.status, 200);
    const event = res.json() as {
      version: string;
      resource: string;
      pathParameters: Record<string, string>;
      httpMethod: string;
    };
    assert.equal(event.version, "1.0");
    assert.equal(event.resource, `/${ns}/users/{id}`);
    assert.deepEqual(event.pathParameters, { id: "42" });
    // Method not in the route: no match.
    assert.equal((await call(`${gw.url}/${ns}/users/42`, { method: "DELETE" })).status, 404);
    // Change it: now 2.0 and ANY.
    gw.store.upsert(routeResource(ns, "users", { path: `/${ns}/users/{id}`, function: { name: "echo" } }));
    const after = await call(`${gw.url}/${ns}/users/42`, { method: "DELETE" });
    assert.equal(after.status, 200);
    assert.equal((after.json() as { version: string; routeKey: string }).version, "2.0");
    gw.store.delete("Route", ns, "users");
    assert.equal((await call(`${gw.url}/${ns}/users/42`)).status, 404);
  });

  test("Routes: CORS preflight answered by the gateway, allow-origin on responses", async () => {
    gw.store.upsert(
      routeResource(ns, "cors", {
        path: `/${ns}/cors`,
        methods: ["POST"],
        function: { name: "echo" },
        cors: { allowOrigins: ["https://app.example.com"], allowHeaders: ["content-type"], maxAge: 600 },
      }),
    );
    const before = agent.calls.length;
    const preflight = await call(`${gw.url}/${ns}/cors`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "https://app.example.com");
    assert.equal(preflight.headers["access-control-max-age"], "600");
    assert.equal(agent.calls.length, before);
    const actual = await call(`${gw.url}/${ns}/cors`, {
      method: "POST",
      headers: { origin: "https://app.example.com" },
    });
    assert.equal(actual.headers["access-control-allow-origin"], "https://app.example.com");
    const stranger = await call(`${gw.url}/${ns}/cors`, {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    assert.equal(stranger.headers["access-control-allow-origin"], undefined);
  });

  test("metrics count requests by route, function and status", async () => {
    const text = await gw.registry.metrics();
    assert.match(
      text,
      new RegExp(
        `kappa_gateway_requests_total\\{route="ANY /function/${ns}/echo",function="${ns}/echo",status="200"\\} \\d+`,
      ),
    );
    assert.match(text, new RegExp(`kappa_gateway_requests_total\\{route="-",function="-",status="400"\\}`));
  });
});
