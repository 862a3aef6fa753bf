// resolveCode and revisionOf: what the agent loads and what makes a new revision. No I/O beyond an in-memory store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryResourceStore } from "../../api/store.js";
import { RetryError, TerminalError } from "../errors.js";
import { resolveCode } from "./code.js";
import type { FunctionConfig } from "./function-config.js";
import { revisionOf } from "./revision.js";

const config = (over: Partial<FunctionConfig> = {}): FunctionConfig => ({
  namespace: "ns",
  name: "fn",
  generation: 1,
  runtime: "nodejs20",
  handler: "index.handler",
  code: { inline: { "index.js": "exports.handler = async () => 1;" } },
  env: {},
  memoryMiB: 128,
  timeoutSeconds: 30,
  perInstance: 1,
  minInstances: 0,
  maxInstances: 10,
  idleSeconds: 300,
  ...over,
});

describe("resolveCode", () => {
  const store = new MemoryResourceStore();

  it("sends inline files base64 and hashes them independently of key order", () => {
    const a = resolveCode(config({ code: { inline: { "a.js": "A", "b.js": "B" } } }), store);
    const b = resolveCode(config({ code: { inline: { "b.js": "B", "a.js": "A" } } }), store);
    assert.deepEqual(a.code, {
      files: { "a.js": Buffer.from("A").toString("base64"), "b.js": Buffer.from("B").toString("base64") },
    });
    assert.equal(a.codeSha256, b.codeSha256);
    assert.match(a.codeSha256, /^[a-f0-9]{64}$/);
    const c = resolveCode(config({ code: { inline: { "a.js": "A", "b.js": "B!" } } }), store);
    assert.notEqual(c.codeSha256, a.codeSha256);
  });

  it("reads a ConfigMap's data and binaryData", () => {
    store.upsert({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: "ns", name: "code" },
      data: { "index.js": "x" },
      binaryData: { "blob.bin": Buffer.from([0, 1, 2]).toString("base64") },
    } as never);
    const resolved = resolveCode(config({ code: { configMap: { name: "code" } } }), store);
    assert.deepEqual(resolved.code, {
      files: { "blob.bin": "AAEC", "index.js": Buffer.from("x").toString("base64") },
    });
  });

  it("asks to retry when the ConfigMap does not exist yet, naming it", () => {
    assert.throws(
      () => resolveCode(config({ code: { configMap: { name: "later" } } }), store),
      (error: unknown) => error instanceof RetryError && /ns\/later does not exist/.test(error.message),
    );
  });

  it("refuses url and image code in local mode with a terminal, named reason", () => {
    for (const code of [
      { url: "https://example.com/f.zip", sha256: "0".repeat(64) },
      { image: "repo/fn:1" },
    ]) {
      assert.throws(
        () => resolveCode(config({ code }), store),
        (error: unknown) => error instanceof TerminalError && error.reason === "UnsupportedCode",
      );
    }
  });
});

describe("revisionOf", () => {
  it("is stable for the same spec and ignores env key order", () => {
    assert.equal(
      revisionOf(config({ env: { A: "1", B: "2" } }), "sha"),
      revisionOf(config({ env: { B: "2", A: "1" } }), "sha"),
    );
  });
  it("changes with code, env, handler, memory, timeout and perInstance, not with scaling", () => {
    const base = revisionOf(config(), "sha");
    assert.notEqual(revisionOf(config(), "other-sha"), base);
    assert.notEqual(revisionOf(config({ env: { A: "1" } }), "sha"), base);
    assert.notEqual(revisionOf(config({ handler: "index.other" }), "sha"), base);
    assert.notEqual(revisionOf(config({ memoryMiB: 256 }), "sha"), base);
    assert.notEqual(revisionOf(config({ timeoutSeconds: 5 }), "sha"), base);
    assert.notEqual(revisionOf(config({ perInstance: 4 }), "sha"), base);
    assert.equal(revisionOf(config({ maxInstances: 99, minInstances: 3 }), "sha"), base);
  });
});
