import { test } from "node:test";
import assert from "node:assert/strict";
import { MalformedPolicy, parsePolicy, policyEffect, routeArn, wildcardMatch } from "./policy.js";

const arn = routeArn({
  region: "kappa",
  accountId: "000000000000",
  apiId: "default",
  stage: "$default",
  method: "get",
  path: "/pets/7",
});

const policy = (...statements: object[]) => parsePolicy({ Version: "2012-10-17", Statement: statements });
const allow = (Resource: unknown, Action: unknown = "execute-api:Invoke") => ({
  Effect: "Allow",
  Action,
  Resource,
});
const deny = (Resource: unknown) => ({ Effect: "Deny", Action: "execute-api:Invoke", Resource });

test("route ARNs are built as API Gateway builds them", () => {
  assert.equal(arn, "arn:aws:execute-api:kappa:000000000000:default/$default/GET/pets/7");
});

test("policy evaluation: allow, deny, wildcards, explicit deny wins, default deny", () => {
  const table: Array<[string, ReturnType<typeof policy>, "Allow" | "Deny"]> = [
    ["exact allow", policy(allow(arn)), "Allow"],
    ["allow list", policy(allow(["arn:other", arn])), "Allow"],
    ["star everything", policy(allow("*")), "Allow"],
    ["star over path", policy(allow("arn:aws:execute-api:kappa:000000000000:default/*")), "Allow"],
    [
      "star method",
      policy(allow("arn:aws:execute-api:kappa:000000000000:default/$default/*/pets/*")),
      "Allow",
    ],
    [
      "question mark",
      policy(allow("arn:aws:execute-api:kappa:000000000000:default/$default/GET/pets/?")),
      "Allow",
    ],
    ["other method", policy(allow("arn:aws:execute-api:kappa:000000000000:default/$default/POST/*")), "Deny"],
    ["other api", policy(allow("arn:aws:execute-api:kappa:000000000000:other/*")), "Deny"],
    ["action wildcard", policy(allow(arn, "execute-api:*")), "Allow"],
    ["action case", policy(allow(arn, "Execute-API:invoke")), "Allow"],
    ["other action", policy(allow(arn, "s3:GetObject")), "Deny"],
    ["explicit deny wins", policy(allow("*"), deny(arn)), "Deny"],
    [
      "deny elsewhere",
      policy(allow("*"), deny("arn:aws:execute-api:kappa:000000000000:default/$default/DELETE/*")),
      "Allow",
    ],
    ["no statement matches", policy(deny("arn:nothing")), "Deny"],
  ];
  for (const [name, statements, expected] of table)
    assert.equal(policyEffect(statements, arn), expected, name);
  assert.equal(policyEffect(parsePolicy({ Statement: allow(arn) }), arn), "Allow", "single statement object");
});

test("malformed policies are refused with the field that is wrong", () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /must be an object/],
    [{}, /Statement is missing/],
    [{ Statement: [{ Effect: "allow", Action: "execute-api:Invoke", Resource: "*" }] }, /Effect must be/],
    [{ Statement: [{ Effect: "Allow", Resource: "*" }] }, /Action must be/],
    [{ Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: [] }] }, /Resource must be/],
    [
      { Statement: [{ Effect: "Deny", Action: "execute-api:Invoke", NotResource: "*", Resource: "*" }] },
      /NotResource is not supported/,
    ],
  ];
  for (const [document, message] of bad)
    assert.throws(
      () => parsePolicy(document),
      (e: Error) => e instanceof MalformedPolicy && message.test(e.message),
    );
});

test("wildcard matching handles backtracking and is linear on hostile patterns", () => {
  assert.equal(wildcardMatch("a*b*c", "aXXbYYc"), true);
  assert.equal(wildcardMatch("a*b*c", "aXXbYY"), false);
  assert.equal(wildcardMatch("*", ""), true);
  assert.equal(wildcardMatch("", "x"), false);
  assert.equal(wildcardMatch("*a*a*a*a*a*a*a*b", "a".repeat(5000)), false);
});
