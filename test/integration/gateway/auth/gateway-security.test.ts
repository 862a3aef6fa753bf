// The security stages inside the real gateway (gateway/server.ts with pipeline.ts's defaultStages): HTTP status,
// body and headers as a client sees them, and what reaches the function. Function instances and the authorizer
// function are real HTTP servers speaking the agent contract (test/integration/gateway/support.ts); the real
// invoke path is the FunctionInvoker here.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { defaultStages } from "../../../../gateway/pipeline.js";
import {
  ScriptedAgent,
  call,
  echoResult,
  functionResource,
  routeResource,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type TestGateway,
} from "../support.js";
import { releaseDockerProbeSockets, resource, secret } from "./helpers.js";

const KEY = "gw-key-0123456789abcdefghij";

describe("security stages in the gateway", () => {
  let gw: TestGateway;
  let fn: ScriptedAgent;
  let authorizerFn: ScriptedAgent;
  let jwksServer: Server;
  let issuer: string;
  let signingKey: CryptoKey;
  const ns = uniquePrefix("sec");

  before(async () => {
    gw = await startTestGateway({ stages: defaultStages });
    fn = await ScriptedAgent.start(echoResult);
    authorizerFn = await ScriptedAgent.start((call, res) => {
      const event = JSON.parse(call.body.toString()) as { headers: Record<string, string> };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          isAuthorized: event.headers.authorization === "open-sesame",
          context: { tenant: "t1" },
        }),
      );
    });
    const keys = await generateKeyPair("RS256");
    signingKey = keys.privateKey;
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256" };
    jwksServer = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;

    gw.store.upsert(functionResource(ns, "echo"));
    gw.store.upsert(functionResource(ns, "authz-fn"));
    await gw.addInstance(ns, "echo", { url: fn.url, perInstance: 50 });
    await gw.addInstance(ns, "authz-fn", { url: authorizerFn.url, perInstance: 50 });
    gw.store.upsert(secret("client-key", { apiKey: KEY }, ns));
    gw.store.upsert(resource("UsagePlan", "small", { throttle: { rateLimit: 0.01, burstLimit: 2 } }, ns));
    gw.store.upsert(
      resource(
        "ApiKey",
        "client",
        { secretRef: { name: "client-key", key: "apiKey" }, usagePlan: "small", enabled: true },
        ns,
      ),
    );
    gw.store.upsert(
      resource(
        "Authorizer",
        "lambda",
        {
          type: "function",
          function: {
            name: "authz-fn",
            identitySources: ["$request.header.Authorization"],
            resultTtlSeconds: 300,
            payloadFormatVersion: "2.0",
            enableSimpleResponses: true,
          },
        },
        ns,
      ),
    );
    gw.store.upsert(
      resource(
        "Authorizer",
        "oidc",
        {
          type: "jwt",
          jwt: {
            issuer,
            audiences: ["api"],
            jwksUrl: issuer,
            identitySource: "$request.header.Authorization",
          },
        },
        ns,
      ),
    );
    const route = (name: string, path: string, extra: object) =>
      gw.store.upsert(
        routeResource(ns, name, {
          path,
          methods: ["ANY"],
          function: { name: "echo" },
          payloadFormatVersion: "2.0",
          ...extra,
        }),
      );
    route("keyed", `/${ns}/keyed`, { auth: { apiKeyRequired: true } });
    route("limited", `/${ns}/limited`, {
      auth: {},
      rateLimit: { perSecond: 0.01, burst: 1, by: "sourceIp" },
    });
    route("lambda", `/${ns}/lambda`, { auth: { authorizer: "lambda" } });
    route("jwt", `/${ns}/jwt`, { auth: { authorizer: "oidc", scopes: ["read"] } });
  });
  after(async () => {
    await gw.close();
    await fn.stop();
    await authorizerFn.stop();
    jwksServer.closeAllConnections();
    await new Promise((resolve) => jwksServer.close(resolve));
    await stopTestRedis();
    releaseDockerProbeSockets();
  });

  test("API key: 403 Forbidden without or with a wrong key, 200 with it, 429 Too Many Requests past the plan's burst", async () => {
    const missing = await call(`${gw.url}/${ns}/keyed`);
    assert.equal(missing.status, 403);
    assert.deepEqual(missing.json(), { message: "Forbidden" });
    assert.equal(
      (await call(`${gw.url}/${ns}/keyed`, { headers: { "x-api-key": KEY.toUpperCase() } })).status,
      403,
    );

    const ok = await call(`${gw.url}/${ns}/keyed`, { headers: { "x-api-key": KEY } });
    assert.equal(ok.status, 200);
    assert.equal(fn.calls.length > 0, true);
    await call(`${gw.url}/${ns}/keyed`, { headers: { "x-api-key": KEY } });
    const throttled = await call(`${gw.url}/${ns}/keyed`, { headers: { "x-api-key": KEY } });
    assert.equal(throttled.status, 429);
    assert.deepEqual(throttled.json(), { message: "Too Many Requests" });
    assert.match(String(throttled.headers["retry-after"]), /^[1-9][0-9]*$/);
  });

  test("a function behind a guarded Route is closed at /function/...; open again once no Route guards it", async () => {
    // echo is behind the API key, rate limit and authorizer Routes above: its built-in paths would go around them.
    const before = fn.calls.length;
    for (const [path, method] of [
      [`/function/${ns}/echo`, "GET"],
      [`/function/${ns}/echo/any/rest`, "POST"],
      [`/async/function/${ns}/echo`, "POST"],
    ] as const) {
      const refused = await call(`${gw.url}${path}`, { method, body: method === "POST" ? "{}" : undefined });
      assert.equal(refused.status, 403, path);
      assert.deepEqual(refused.json(), { message: "Forbidden" });
    }
    assert.equal(fn.calls.length, before, "the function was not called");

    // A function whose only Route has neither auth nor a rate limit stays at /function/... too.
    const open = await ScriptedAgent.start(echoResult);
    try {
      gw.store.upsert(functionResource(ns, "open"));
      await gw.addInstance(ns, "open", { url: open.url });
      gw.store.upsert(routeResource(ns, "open-route", { path: `/${ns}/open`, function: { name: "open" } }));
      assert.equal((await call(`${gw.url}/function/${ns}/open`)).status, 200);
      assert.equal((await call(`${gw.url}/${ns}/open`)).status, 200);
      // Guard it: the built-in path closes on the next request (hot reload), and opens when the guard goes.
      gw.store.upsert(
        routeResource(ns, "open-route", {
          path: `/${ns}/open`,
          function: { name: "open" },
          auth: { apiKeyRequired: true },
        }),
      );
      assert.equal((await call(`${gw.url}/function/${ns}/open`)).status, 403);
      gw.store.delete("Route", ns, "open-route");
      assert.equal((await call(`${gw.url}/function/${ns}/open`)).status, 200);
    } finally {
      await open.stop();
    }
  });

  test("route rate limit by source IP: 429 with Retry-After, and the function is not called", async () => {
    assert.equal((await call(`${gw.url}/${ns}/limited`)).status, 200);
    const before = fn.calls.length;
    const refused = await call(`${gw.url}/${ns}/limited`);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.json(), { message: "Too Many Requests" });
    assert.ok(Number(refused.headers["retry-after"]) >= 1);
    assert.equal(fn.calls.length, before);
  });

  test("function authorizer through the real invoke path: 401 without identity, 403 denied, 200 with its context", async () => {
    assert.equal((await call(`${gw.url}/${ns}/lambda`)).status, 401);
    const denied = await call(`${gw.url}/${ns}/lambda`, { headers: { authorization: "wrong" } });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json(), { message: "Forbidden" });
    const ok = await call(`${gw.url}/${ns}/lambda`, { headers: { authorization: "open-sesame" } });
    assert.equal(ok.status, 200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the echoed event is free-form JSON
    const event = ok.json() as Record<string, any>;
    assert.deepEqual(event.requestContext.authorizer.lambda, { tenant: "t1" });
  });

  test("JWT authorizer: 401 Unauthorized without or with a bad token, 403 without the scope, claims in the event", async () => {
    const unauthorized = await call(`${gw.url}/${ns}/jwt`);
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(unauthorized.json(), { message: "Unauthorized" });
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: object) =>
      new SignJWT({ iss: issuer, aud: "api", sub: "u1", iat: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .sign(signingKey);
    const expired = await call(`${gw.url}/${ns}/jwt`, {
      headers: { authorization: `Bearer ${await sign({ iat: now - 7200, exp: now - 3600 })}` },
    });
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers["www-authenticate"]), /invalid_token/);
    const noScope = await call(`${gw.url}/${ns}/jwt`, {
      headers: { authorization: `Bearer ${await sign({ scope: "write" })}` },
    });
    assert.equal(noScope.status, 403);
    const ok = await call(`${gw.url}/${ns}/jwt`, {
      headers: { authorization: `Bearer ${await sign({ scope: "read" })}` },
    });
    assert.equal(ok.status, 200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the echoed event is free-form JSON
    const event = ok.json() as Record<string, any>;
    assert.equal(event.requestContext.authorizer.jwt.claims.sub, "u1");
    assert.deepEqual(event.requestContext.authorizer.jwt.scopes, ["read"]);
  });

  test("the metrics of the stages are on the gateway's registry", async () => {
    const text = await gw.registry.metrics();
    assert.match(text, /kappa_gateway_api_key_decisions_total\{outcome="missing"\} 1/);
    assert.match(text, /kappa_gateway_ratelimit_decisions_total\{limiter="route",outcome="throttled"\} 1/);
    assert.match(text, /kappa_gateway_authorizer_cache_total\{result="miss"\}/);
  });
});
