import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "./errors.js";
import { parseKind, parseResourceId } from "./names.js";

describe("names", () => {
  it("reads name and namespace/name", () => {
    assert.deepEqual(parseResourceId("hello"), { namespace: "default", name: "hello" });
    assert.deepEqual(parseResourceId("team-a/hello"), { namespace: "team-a", name: "hello" });
    for (const bad of ["Hello", "a/b/c", "", "x/", "../etc"])
      assert.throws(() => parseResourceId(bad), UsageError, bad);
  });

  it("reads kinds as kubectl does: kind, plural, singular, short name", async () => {
    assert.equal(await parseKind("functions"), "Function");
    assert.equal(await parseKind("fn"), "Function");
    assert.equal(await parseKind("Queue"), "Queue");
    assert.equal(await parseKind("qt"), "QueueTrigger");
    assert.equal(await parseKind("cm"), "ConfigMap");
    await assert.rejects(parseKind("pods"), /unknown kind "pods"/);
  });
});
