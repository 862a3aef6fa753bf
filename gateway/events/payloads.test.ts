// Event building checked against the shapes in AWS's API Gateway developer guide (AWS-COMPAT.md §3).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayRequest, MatchedRoute } from "../http/gateway-request.js";
import type { EventInput } from "./event-input.js";
import { buildPayloadV1 } from "./payload-v1.js";
import { buildPayloadV2 } from "./payload-v2.js";

const route: MatchedRoute = {
  routeKey: "GET /pets/{id}",
  resourcePath: "/pets/{id}",
  pathParameters: { id: "7" },
  function: { namespace: "default", name: "pets" },
  payloadFormatVersion: "2.0",
};

function input(
  overrides: Partial<GatewayRequest> = {},
  rawHeaders: string[] = [],
  body: Buffer = Buffer.alloc(0),
): EventInput {
  return {
    request: {
      id: "req-1",
      method: "GET",
      rawPath: "/pets/7",
      rawQuery: "",
      headers: {},
      host: "api.example.com:8080",
      sourceIp: "10.1.2.3",
      receivedAt: Date.UTC(2020, 2, 12, 19, 3, 58),
      identity: {},
      route,
      ...overrides,
    } as EventInput["request"],
    rawHeaders: ["Host", "api.example.com:8080", "User-Agent", "curl/8", ...rawHeaders],
    body,
    protocol: "HTTP/1.1",
  };
}

test("2.0: the documented top-level fields and requestContext", () => {
  const event = buildPayloadV2(
    input({ rawQuery: "a=1&a=2&b=x%20y&c" }, ["X-Multi", "one", "x-multi", "two"]),
  );
  assert.equal(event.version, "2.0");
  assert.equal(event.routeKey, "GET /pets/{id}");
  assert.equal(event.rawPath, "/pets/7");
  assert.equal(event.rawQueryString, "a=1&a=2&b=x%20y&c");
  assert.deepEqual(event.queryStringParameters, { a: "1,2", b: "x y", c: "" });
  assert.deepEqual(event.pathParameters, { id: "7" });
  assert.equal(event.headers["x-multi"], "one,two");
  assert.equal(event.headers["user-agent"], "curl/8");
  assert.equal("X-Multi" in event.headers, false);
  assert.equal(event.body, undefined);
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.cookies, undefined);
  assert.deepEqual(event.requestContext, {
    accountId: "000000000000",
    apiId: "kappa",
    domainName: "api.example.com",
    domainPrefix: "api",
    http: { method: "GET", path: "/pets/7", protocol: "HTTP/1.1", sourceIp: "10.1.2.3", userAgent: "curl/8" },
    requestId: "req-1",
    routeKey: "GET /pets/{id}",
    stage: "$default",
    time: "12/Mar/2020:19:03:58 +0000",
    timeEpoch: Date.UTC(2020, 2, 12, 19, 3, 58),
  });
});

test("2.0: cookies are lifted out of every Cookie header", () => {
  const event = buildPayloadV2(input({}, ["Cookie", "a=1; b=2", "cookie", "c=3"]));
  assert.deepEqual(event.cookies, ["a=1", "b=2", "c=3"]);
  assert.equal(event.headers.cookie, undefined);
});

const bodies: Array<{ type?: string; body: Buffer; text?: string; base64: boolean }> = [
  { type: "application/json", body: Buffer.from('{"a":1}'), text: '{"a":1}', base64: false },
  { type: "text/plain; charset=utf-8", body: Buffer.from("héllo"), text: "héllo", base64: false },
  { type: "application/vnd.api+json", body: Buffer.from("{}"), text: "{}", base64: false },
  { type: "application/x-www-form-urlencoded", body: Buffer.from("a=1"), text: "a=1", base64: false },
  { type: undefined, body: Buffer.from("plain"), text: "plain", base64: false },
  { type: "application/octet-stream", body: Buffer.from([0, 1, 2, 255]), base64: true },
  { type: "image/png", body: Buffer.from("PNG"), base64: true },
  { type: "application/json", body: Buffer.from([0xff, 0xfe, 0x00]), base64: true },
];
for (const c of bodies) {
  test(`2.0 and 1.0: a ${c.type ?? "typeless"} body ${c.base64 ? "is base64" : "stays text"}`, () => {
    const headers = c.type ? ["Content-Type", c.type] : [];
    for (const event of [
      buildPayloadV2(input({ method: "POST" }, headers, c.body)),
      buildPayloadV1(input({ method: "POST" }, headers, c.body)),
    ]) {
      assert.equal(event.isBase64Encoded, c.base64);
      assert.equal(event.body, c.base64 ? c.body.toString("base64") : c.text);
    }
  });
}

test("2.0: authorizer output lands under requestContext.authorizer", () => {
  const event = buildPayloadV2(
    input({
      identity: {
        authorizer: {
          jwt: { claims: { sub: "u1" }, scopes: ["read"] },
          context: { tenant: "t1" },
          principalId: "u1",
        },
      },
    }),
  );
  assert.deepEqual(event.requestContext.authorizer, {
    jwt: { claims: { sub: "u1" }, scopes: ["read"] },
    lambda: { tenant: "t1" },
    principalId: "u1",
  });
});

test("1.0: REST proxy shape with single- and multi-value maps and nulls for empty ones", () => {
  const event = buildPayloadV1(input({ rawQuery: "a=1&a=2" }, ["X-Multi", "one", "X-Multi", "two"]));
  assert.equal(event.version, "1.0");
  assert.equal(event.resource, "/pets/{id}");
  assert.equal(event.path, "/pets/7");
  assert.equal(event.httpMethod, "GET");
  assert.equal(event.headers?.["X-Multi"], "two");
  assert.deepEqual(event.multiValueHeaders?.["X-Multi"], ["one", "two"]);
  assert.deepEqual(event.queryStringParameters, { a: "2" });
  assert.deepEqual(event.multiValueQueryStringParameters, { a: ["1", "2"] });
  assert.deepEqual(event.pathParameters, { id: "7" });
  assert.equal(event.stageVariables, null);
  assert.equal(event.body, null);
  const ctx = event.requestContext as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(ctx.requestId, "req-1");
  assert.equal(ctx.resourcePath, "/pets/{id}");
  assert.equal(ctx.httpMethod, "GET");
  assert.equal(ctx.stage, "$default");
  assert.equal(ctx.identity.sourceIp, "10.1.2.3");
  assert.equal(ctx.identity.userAgent, "curl/8");
  assert.equal(ctx.authorizer, null);
  assert.equal(ctx.requestTime, "12/Mar/2020:19:03:58 +0000");
});

test("1.0: no query and no path parameters are null", () => {
  const event = buildPayloadV1(input({ route: { ...route, pathParameters: {} } }));
  assert.equal(event.queryStringParameters, null);
  assert.equal(event.multiValueQueryStringParameters, null);
  assert.equal(event.pathParameters, null);
});

test("1.0: API key identity and authorizer context", () => {
  const event = buildPayloadV1(
    input(
      {
        identity: {
          apiKey: { id: "k1", name: "key", namespace: "default" },
          authorizer: { principalId: "p", context: { a: "1" } },
        },
      },
      ["X-API-Key", "secret-value"],
    ),
  );
  const ctx = event.requestContext as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(ctx.identity.apiKey, "secret-value");
  assert.equal(ctx.identity.apiKeyId, "k1");
  assert.deepEqual(ctx.authorizer, { a: "1", principalId: "p" });
});
