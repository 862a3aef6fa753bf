import assert from "node:assert/strict";
import { test } from "node:test";
import { isHttpError } from "../http/http-error.js";
import { parseFunctionPath } from "./function-path.js";

const ok: Array<[string, { namespace: string; name: string; rest?: string }]> = [
  ["/function/default/hello", { namespace: "default", name: "hello", rest: undefined }],
  ["/function/default/hello/", { namespace: "default", name: "hello", rest: undefined }],
  ["/function/team-a/fn-1/a/b", { namespace: "team-a", name: "fn-1", rest: "a/b" }],
];
for (const [path, want] of ok) {
  test(`${path} parses`, () => assert.deepEqual(parseFunctionPath(path), want));
}

const rejected = [
  "/function/default/../admin",
  "/function/../kube-system/fn",
  "/function/default/%2e%2e/x",
  "/function/default/hello/../../other",
  "/function/default/hello/%2e%2e/x",
  "/function/default/hello/a%2Fb",
  "/function/default/hello/a%5cb",
  "/function/Default/hello",
  "/function/default/Hello",
  "/function/default/hel_lo",
  "/function/default/-hello",
  "/function/default/" + "a".repeat(64),
  "/function/default",
  "/function//hello",
  "/function/default/hello%00",
  "/function/default/hello/%zz",
];
for (const path of rejected) {
  test(`${path} is rejected with 400`, () => {
    assert.throws(
      () => parseFunctionPath(path),
      (error: unknown) => isHttpError(error) && error.status === 400 && error.message.length > 0,
    );
  });
}
