// Function (Lambda REQUEST) authorizers through authorizerStage. The FunctionInvoker is the seam between the auth
// stages and the invoke path: here it is a real HTTP client calling a small real HTTP server on 127.0.0.1 that
// hosts the authorizer handlers (the gateway's invoke path plays this part in production). The server records
// every event it receives, so the tests see exactly when the authorizer was (not) called.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { MemoryResourceStore } from "../../../../api/index.js";
import { authorizerStage } from "../../../../gateway/auth/index.js";
import type { FunctionInvoker } from "../../../../gateway/http/gateway-request.js";
import { gatewayRequest, outcome, resource, status } from "./helpers.js";

type Event = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const arnPrefix = "arn:aws:execute-api:kappa:000000000000:default/$default";

const handlers: Record<string, (event: Event) => Promise<unknown> | unknown> = {
  simple: (e) => ({
    isAuthorized: e.headers.authorization === "let-me-in",
    context: { user: "ada", roles: ["admin"] },
  }),
  policy: (e) => ({
    principalId: "user-42",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "execute-api:Invoke", Resource: `${arnPrefix}/GET/pets/*` },
        { Effect: "Deny", Action: "execute-api:Invoke", Resource: `${arnPrefix}/GET/pets/secret` },
      ],
    },
    context: { tier: "gold", count: 3, admin: false },
    usageIdentifierKey: `key-for-${Array.isArray(e.identitySource) ? e.identitySource[0] : e.identitySource}`,
  }),
  unauthorized: () => {
    throw new Error("Unauthorized");
  },
  broken: () => {
    throw new Error("database is down");
  },
  slow: () => new Promise((resolve) => setTimeout(() => resolve({ isAuthorized: true }), 2000)),
  malformed: () => ({ isAuthorized: "yes" }),
  nested1: () => ({
    principalId: "p",
    policyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
    context: { deep: { a: 1 } },
  }),
};

const calls: Array<{ name: string; event: Event }> = [];
let server: Server;
let invoker: FunctionInvoker;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const name = req.url!.split("/").pop()!;
      const event = JSON.parse(Buffer.concat(chunks).toString()) as Event;
      calls.push({ name, event });
      try {
        const result = await handlers[name]!(event);
        res.end(JSON.stringify(result));
      } catch (error) {
        res.setHeader("x-function-error", "Unhandled");
        res.end(JSON.stringify({ errorType: "Error", errorMessage: (error as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  invoker = {
    async invoke(target, payload, options) {
      const response = await fetch(`http://127.0.0.1:${port}/invoke/${target.namespace}/${target.name}`, {
        method: "POST",
        body: payload,
        signal: AbortSignal.timeout(options?.timeoutMs ?? 10_000),
      });
      const functionError = response.headers.get("x-function-error") ?? undefined;
      return { payload: Buffer.from(await response.arrayBuffer()), functionError };
    },
  };
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function setup(functionSpec: object, stageOptions: object = {}) {
  const store = new MemoryResourceStore();
  store.upsert(
    resource("Authorizer", "authz", {
      type: "function",
      function: {
        identitySources: ["$request.header.Authorization"],
        resultTtlSeconds: 300,
        payloadFormatVersion: "2.0",
        enableSimpleResponses: false,
        ...functionSpec,
      },
    }),
  );
  let now = Date.parse("2026-11-22T12:00:00.000Z");
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const registry = new Registry();
  const stage = authorizerStage({ store, invoker, clock, registry, ...stageOptions });
  return { store, clock, stage, registry };
}

const authorized = (authorization?: string, options: { path?: string; method?: string } = {}) =>
  gatewayRequest({
    ...options,
    headers: authorization === undefined ? {} : { authorization },
    route: { auth: { authorizer: "authz" } },
  });

const callsTo = (name: string) => calls.filter((c) => c.name === name).length;

test("simple responses: allow passes the context to the function, deny is 403", async () => {
  const { stage } = setup({ name: "simple", enableSimpleResponses: true, resultTtlSeconds: 0 });
  const request = authorized("let-me-in");
  assert.equal(status(await outcome(stage, request)), "passed");
  assert.deepEqual(request.identity.authorizer?.context, { user: "ada", roles: ["admin"] });
  const denied = await outcome(stage, authorized("wrong"));
  assert.equal(status(denied), "403 Forbidden");
  assert.equal(denied?.code, "ACCESS_DENIED");
  stage.close();
});

test("the 2.0 event carries the route ARN, identity sources, headers and request context", async () => {
  const { stage } = setup({ name: "simple", enableSimpleResponses: true, resultTtlSeconds: 0 });
  const before = calls.length;
  await outcome(
    stage,
    gatewayRequest({
      query: "a=1&a=2",
      headers: { authorization: "let-me-in", cookie: "x=1; y=2" },
      route: { auth: { authorizer: "authz" } },
    }),
  );
  const event = calls[before]!.event;
  assert.equal(event.version, "2.0");
  assert.equal(event.type, "REQUEST");
  assert.equal(event.routeArn, `${arnPrefix}/GET/pets/7`);
  assert.deepEqual(event.identitySource, ["let-me-in"]);
  assert.equal(event.routeKey, "GET /pets/{id}");
  assert.deepEqual(event.cookies, ["x=1", "y=2"]);
  assert.deepEqual(event.queryStringParameters, { a: "1,2" });
  assert.deepEqual(event.pathParameters, { id: "7" });
  assert.equal(event.requestContext.http.sourceIp, "10.1.2.3");
  assert.equal(event.requestContext.timeEpoch, Date.parse("2026-11-22T12:00:00.000Z"));
  stage.close();
});

test("payload 1.0: methodArn, comma-joined identitySource, multi-value maps", async () => {
  const { stage } = setup({ name: "policy", payloadFormatVersion: "1.0", resultTtlSeconds: 0 });
  const before = calls.length;
  const request = authorized("tok", { path: "/pets/1" });
  assert.equal(status(await outcome(stage, request)), "passed");
  const event = calls[before]!.event;
  assert.equal(event.version, "1.0");
  assert.equal(event.methodArn, `${arnPrefix}/GET/pets/1`);
  assert.equal(event.identitySource, "tok");
  assert.deepEqual(event.multiValueHeaders.authorization, ["tok"]);
  assert.equal(request.identity.authorizer?.principalId, "user-42");
  assert.deepEqual(request.identity.authorizer?.context, { tier: "gold", count: 3, admin: false });
  assert.equal(request.identity.authorizer?.usageIdentifierKey, "key-for-tok");
  stage.close();
});

test("IAM policies: allow by wildcard, explicit deny wins, route outside the policy is 403", async () => {
  const { stage } = setup({ name: "policy", resultTtlSeconds: 0 });
  assert.equal(status(await outcome(stage, authorized("tok", { path: "/pets/9" }))), "passed");
  assert.equal(status(await outcome(stage, authorized("tok", { path: "/pets/secret" }))), "403 Forbidden");
  assert.equal(
    status(await outcome(stage, authorized("tok", { path: "/pets/9", method: "DELETE" }))),
    "403 Forbidden",
  );
  stage.close();
});

test("a missing identity source is 401 without invoking the authorizer", async () => {
  const { stage } = setup({
    name: "simple",
    enableSimpleResponses: true,
    identitySources: ["$request.header.Authorization", "$request.querystring.tenant"],
  });
  const before = callsTo("simple");
  assert.equal(status(await outcome(stage, authorized())), "401 Unauthorized");
  assert.equal(
    status(await outcome(stage, authorized("let-me-in"))),
    "401 Unauthorized",
    "querystring tenant missing",
  );
  assert.equal(callsTo("simple"), before);
  stage.close();
});

test("throwing exactly 'Unauthorized' is 401; any other error, a timeout or a malformed answer deny with 500", async () => {
  const cases: Array<[string, string]> = [
    ["unauthorized", "401 Unauthorized"],
    ["broken", "500 Internal Server Error"],
    ["malformed", "500 Internal Server Error"],
    ["slow", "500 Internal Server Error"],
  ];
  for (const [name, expected] of cases) {
    const { stage } = setup({ name, enableSimpleResponses: true }, { timeoutMs: 200 });
    const request = authorized("tok");
    const error = await outcome(stage, request);
    assert.equal(status(error), expected, name);
    assert.equal(request.identity.authorizer, undefined, `${name}: nothing about the caller is believed`);
    if (error?.status === 500) assert.equal(error.code, "AUTHORIZER_CONFIGURATION_ERROR");
    stage.close();
  }
});

test("payload 1.0 refuses non-scalar context values (500), as API Gateway does", async () => {
  const { stage } = setup({ name: "nested1", payloadFormatVersion: "1.0" });
  assert.equal(status(await outcome(stage, authorized("tok"))), "500 Internal Server Error");
  stage.close();
});

test("results are cached by identity values for resultTtlSeconds; the cached policy is checked against each route", async () => {
  const { stage, clock, registry } = setup({ name: "policy", resultTtlSeconds: 60 });
  const before = callsTo("policy");
  assert.equal(status(await outcome(stage, authorized("tok-a", { path: "/pets/1" }))), "passed");
  assert.equal(status(await outcome(stage, authorized("tok-a", { path: "/pets/2" }))), "passed");
  assert.equal(
    status(await outcome(stage, authorized("tok-a", { path: "/pets/secret" }))),
    "403 Forbidden",
    "cached policy still denies",
  );
  assert.equal(callsTo("policy") - before, 1, "one invoke for three requests with the same token");
  assert.equal(status(await outcome(stage, authorized("tok-b"))), "passed");
  assert.equal(callsTo("policy") - before, 2, "another token is another cache entry");
  clock.advance(60_001);
  await outcome(stage, authorized("tok-a"));
  assert.equal(callsTo("policy") - before, 3, "expired after the TTL");
  const metrics = await registry.getSingleMetricAsString("kappa_gateway_authorizer_cache_total");
  assert.match(metrics, /result="hit"} 2/);
  assert.match(metrics, /result="miss"} 3/);
  stage.close();
});

test("concurrent requests with the same identity share one authorizer invoke", async () => {
  const { stage } = setup({ name: "policy", resultTtlSeconds: 60 });
  const before = callsTo("policy");
  const results = await Promise.all(Array.from({ length: 10 }, () => outcome(stage, authorized("tok-same"))));
  assert.deepEqual(results.map(status), Array(10).fill("passed"));
  assert.equal(callsTo("policy") - before, 1);
  stage.close();
});

test("errors are not cached, TTL 0 disables the cache, and a changed Authorizer drops its cached results", async () => {
  const { stage, store } = setup({ name: "simple", enableSimpleResponses: true, resultTtlSeconds: 0 });
  const before = callsTo("simple");
  await outcome(stage, authorized("let-me-in"));
  await outcome(stage, authorized("let-me-in"));
  assert.equal(callsTo("simple") - before, 2);

  store.upsert(
    resource("Authorizer", "authz", {
      type: "function",
      function: {
        name: "simple",
        enableSimpleResponses: true,
        resultTtlSeconds: 300,
        identitySources: ["$request.header.Authorization"],
      },
    }),
  );
  await outcome(stage, authorized("let-me-in"));
  await outcome(stage, authorized("let-me-in"));
  assert.equal(callsTo("simple") - before, 3, "hot reload: now cached");
  store.upsert(
    resource("Authorizer", "authz", {
      type: "function",
      function: {
        name: "simple",
        enableSimpleResponses: true,
        resultTtlSeconds: 300,
        identitySources: ["$request.header.Authorization"],
      },
    }),
  );
  await outcome(stage, authorized("let-me-in"));
  assert.equal(callsTo("simple") - before, 4, "a new version of the Authorizer starts with an empty cache");

  const unauth = setup({ name: "unauthorized", enableSimpleResponses: true, resultTtlSeconds: 300 });
  const u = callsTo("unauthorized");
  await outcome(unauth.stage, authorized("tok"));
  await outcome(unauth.stage, authorized("tok"));
  assert.equal(callsTo("unauthorized") - u, 2);
  unauth.stage.close();
  stage.close();
});

test("a route naming a missing Authorizer is denied with 500; routes without one pass untouched", async () => {
  const { stage, store } = setup({ name: "simple" });
  store.delete("Authorizer", "default", "authz");
  assert.equal(status(await outcome(stage, authorized("let-me-in"))), "500 Internal Server Error");
  assert.equal(status(await outcome(stage, gatewayRequest())), "passed");
  stage.close();
});

test("bad options are refused when the stage is built", () => {
  const store = new MemoryResourceStore();
  assert.throws(() => authorizerStage({ store } as never), /option "invoker" is required/);
  assert.throws(
    () => authorizerStage({ store, invoker, jwtAlgorithms: ["HS256"] }),
    /asymmetric algorithms only.*HS256/,
  );
  assert.throws(
    () => authorizerStage({ store, invoker, timeoutMs: -1 }),
    /"timeoutMs" must be a positive number/,
  );
  assert.throws(
    () => authorizerStage({ store, invoker, arn: { region: "x", accountId: "12" } }),
    /12-digit accountId/,
  );
});
