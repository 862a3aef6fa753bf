import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpecializeRequest } from "./specialize-request.js";

const good = {
  namespace: "default",
  name: "hello",
  runtime: "nodejs20",
  handler: "index.handler",
  code: { dir: "/c" },
};

describe("parseSpecializeRequest", () => {
  it("fills in Lambda's defaults", () => {
    const result = parseSpecializeRequest(good);
    assert.ok(result.ok);
    assert.equal(result.spec.timeoutSeconds, 3);
    assert.equal(result.spec.memoryMiB, 128);
    assert.equal(result.spec.perInstance, 1);
    assert.deepEqual(result.spec.env, {});
  });
  it("accepts nested handler paths and custom runtimes' free-form handlers", () => {
    assert.ok(parseSpecializeRequest({ ...good, handler: "src/app.handler" }).ok);
    assert.ok(parseSpecializeRequest({ ...good, runtime: "provided", handler: "bootstrap" }).ok);
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ["not an object", [], /JSON object/],
    ["bad name", { ...good, name: "Hello_World" }, /name must be/],
    ["bad namespace", { ...good, namespace: "" }, /namespace must be/],
    [
      "bad runtime",
      { ...good, runtime: "java21" },
      /runtime must be one of nodejs20, nodejs22, python3.11, provided/,
    ],
    ["handler without export", { ...good, handler: "index" }, /handler must be <file>.<export>/],
    ["handler escaping", { ...good, handler: "../x.handler" }, /must not leave the task root/],
    ["no code", { ...good, code: undefined }, /code must be/],
    ["relative dir", { ...good, code: { dir: "x" } }, /code.dir must be an absolute path/],
    [
      "absolute file",
      { ...good, code: { files: { "/etc/passwd": "" } } },
      /relative path inside the task root/,
    ],
    [
      "file content",
      { ...good, code: { files: { "a.js": 1 } } },
      /code.files\["a.js"\] must be a base64 string/,
    ],
    ["memory", { ...good, memoryMiB: 64 }, /memoryMiB must be an integer from 128 to 10240, got 64/],
    ["timeout", { ...good, timeoutSeconds: 1.5 }, /timeoutSeconds must be an integer/],
    ["perInstance", { ...good, perInstance: 0 }, /perInstance must be an integer from 1/],
    ["env", { ...good, env: { AWS_REGION: "x" } }, /reserved/],
    ["codeSha256", { ...good, codeSha256: 5 }, /codeSha256 must be a hex string/],
  ];
  for (const [what, body, message] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      const result = parseSpecializeRequest(body);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    });
  }
});
