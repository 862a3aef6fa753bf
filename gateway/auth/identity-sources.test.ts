import { test } from "node:test";
import assert from "node:assert/strict";
import type { GatewayRequest } from "../http/gateway-request.js";
import { bearerToken, identitySourceProblem, identityValue, identityValues } from "./identity-sources.js";

const request: GatewayRequest = {
  id: "req-1",
  method: "GET",
  rawPath: "/pets/7",
  rawQuery: "token=abc&tag=a&tag=b&empty=",
  headers: { authorization: "Bearer xyz", "x-multi": ["one", "two"], "x-empty": "" },
  host: "api.example.test",
  sourceIp: "10.0.0.9",
  receivedAt: 0,
  route: {
    routeKey: "GET /pets/{id}",
    resourcePath: "/pets/{id}",
    pathParameters: { id: "7" },
    function: { namespace: "default", name: "pets" },
    payloadFormatVersion: "2.0",
  },
  identity: {},
};

test("identity sources read headers case-insensitively, query strings case-sensitively, and $context", () => {
  const table: Array<[string, string | undefined]> = [
    ["$request.header.Authorization", "Bearer xyz"],
    ["$request.header.AUTHORIZATION", "Bearer xyz"],
    ["$request.header.X-Multi", "one,two"],
    ["$request.header.X-Empty", undefined],
    ["$request.header.X-Absent", undefined],
    ["$request.querystring.token", "abc"],
    ["$request.querystring.Token", undefined],
    ["$request.querystring.tag", "a,b"],
    ["$request.querystring.empty", undefined],
    ["$context.routeKey", "GET /pets/{id}"],
    ["$context.httpMethod", "GET"],
    ["$context.identity.sourceIp", "10.0.0.9"],
    ["$context.requestId", "req-1"],
    ["$stageVariables.anything", undefined],
    ["header.Authorization", undefined],
  ];
  for (const [source, expected] of table) assert.equal(identityValue(source, request), expected, source);
});

test("any missing identity source makes the whole set missing", () => {
  assert.deepEqual(identityValues(["$request.header.Authorization", "$context.routeKey"], request), [
    "Bearer xyz",
    "GET /pets/{id}",
  ]);
  assert.equal(
    identityValues(["$request.header.Authorization", "$request.header.X-Absent"], request),
    undefined,
  );
});

test("identity source syntax problems name the source and the accepted forms", () => {
  assert.equal(identitySourceProblem("$request.header.Authorization"), undefined);
  assert.equal(identitySourceProblem("$context.routeKey"), undefined);
  assert.match(identitySourceProblem("Authorization") ?? "", /must look like \$request\.header\.Name/);
  assert.match(identitySourceProblem("$context.nope") ?? "", /supported \$context variables are/);
});

test("bearer tokens: optional prefix in any case, blank is missing", () => {
  const table: Array<[string | undefined, string | undefined]> = [
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer abc", "abc"],
    ["BEARER   abc ", "abc"],
    ["abc.def.ghi", "abc.def.ghi"],
    ["Bearer ", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of table) assert.equal(bearerToken(value), expected, String(value));
});
