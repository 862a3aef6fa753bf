import assert from "node:assert/strict";
import { test } from "node:test";
import { isHttpError } from "../http/http-error.js";
import { functionArn, parseFunctionName } from "./function-name.js";

const cases: Array<[string, string | undefined, { namespace: string; name: string; qualifier?: string }]> = [
  ["hello", undefined, { namespace: "default", name: "hello", qualifier: undefined }],
  ["hello:$LATEST", undefined, { namespace: "default", name: "hello", qualifier: "$LATEST" }],
  ["hello", "$LATEST", { namespace: "default", name: "hello", qualifier: "$LATEST" }],
  [
    "arn:aws:lambda:us-east-1:123456789012:function:hello",
    undefined,
    { namespace: "default", name: "hello", qualifier: undefined },
  ],
  [
    "arn:aws:lambda:eu-west-1:team-a:function:hello:prod",
    undefined,
    { namespace: "team-a", name: "hello", qualifier: "prod" },
  ],
  ["123456789012:function:hello", undefined, { namespace: "default", name: "hello", qualifier: undefined }],
  ["team-a:function:hello", undefined, { namespace: "team-a", name: "hello", qualifier: undefined }],
];
for (const [raw, qualifier, want] of cases) {
  test(`${raw}${qualifier ? ` ?Qualifier=${qualifier}` : ""}`, () =>
    assert.deepEqual(parseFunctionName(raw, "default", qualifier), want));
}

const bad: Array<[string, string | undefined]> = [
  ["", undefined],
  ["a".repeat(65), undefined],
  ["arn:aws:s3:::bucket", undefined],
  ["arn:aws:lambda:us-east-1:Team_A:function:hello", undefined],
  ["hello:1", "2"],
  ["a:b:c", undefined],
];
for (const [raw, qualifier] of bad) {
  test(`rejects ${JSON.stringify(raw.slice(0, 40))}`, () => {
    assert.throws(
      () => parseFunctionName(raw, "default", qualifier),
      (e: unknown) => isHttpError(e) && e.status === 400 && e.code === "InvalidParameterValueException",
    );
  });
}

test("ARNs round-trip through parseFunctionName", () => {
  for (const ns of ["default", "team-a"]) {
    const arn = functionArn("us-east-1", ns, "hello", "default");
    assert.deepEqual(parseFunctionName(arn, "default"), {
      namespace: ns,
      name: "hello",
      qualifier: undefined,
    });
  }
});
