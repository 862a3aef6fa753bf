import { test } from "node:test";
import assert from "node:assert/strict";
import { isUnauthorizedError, MalformedResponse, parseAuthorizerResponse } from "./authorizer-response.js";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const v2simple = { version: "2.0" as const, simple: true };
const v2policy = { version: "2.0" as const, simple: false };
const v1 = { version: "1.0" as const, simple: false };
const policyDocument = { Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }] };

test("simple and policy answers are parsed", () => {
  assert.deepEqual(parseAuthorizerResponse(json({ isAuthorized: false }), v2simple), {
    kind: "simple",
    isAuthorized: false,
    context: undefined,
  });
  const policy = parseAuthorizerResponse(
    json({ principalId: "p", policyDocument, context: { a: 1 }, usageIdentifierKey: "k" }),
    v1,
  );
  assert.equal(policy.kind, "policy");
  assert.equal(policy.kind === "policy" && policy.usageIdentifierKey, "k");
});

test("malformed answers are refused with what is wrong", () => {
  const cases: Array<[Buffer, { version: "1.0" | "2.0"; simple: boolean }, RegExp]> = [
    [Buffer.from("not json"), v2simple, /not JSON/],
    [json([1]), v2simple, /JSON object/],
    [json({ isAuthorized: "true" }), v2simple, /isAuthorized must be true or false/],
    [json({ isAuthorized: true }), v2policy, /Statement is missing|policyDocument must be an object/],
    [json({ principalId: 5, policyDocument }), v1, /principalId must be a string/],
    [
      json({ policyDocument, context: { nested: { a: 1 } } }),
      v1,
      /context\.nested must be a string, number or boolean/,
    ],
    [json({ isAuthorized: true, context: "x" }), v2simple, /context must be an object/],
    [json({ isAuthorized: true, context: { pad: "x".repeat(9000) } }), v2simple, /larger than 8192 bytes/],
  ];
  for (const [payload, format, message] of cases) {
    assert.throws(
      () => parseAuthorizerResponse(payload, format),
      (e: Error) => e instanceof MalformedResponse && message.test(e.message),
    );
  }
});

test("only exactly 'Unauthorized' counts as the 401 error", () => {
  assert.equal(isUnauthorizedError(json({ errorMessage: "Unauthorized", errorType: "Error" })), true);
  assert.equal(isUnauthorizedError(Buffer.from("Unauthorized")), true);
  assert.equal(isUnauthorizedError(json({ errorMessage: "unauthorized" })), false);
  assert.equal(isUnauthorizedError(json({ errorMessage: "Unauthorized: expired" })), false);
});
