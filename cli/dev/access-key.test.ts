import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { generateAccessKey, parseAccessKey } from "./access-key.js";

describe("access keys", () => {
  it("parses ID:SECRET and keeps colons in the secret", () => {
    assert.deepEqual(parseAccessKey("KAPPALOCALDEVKEY1:secret:with:colons"), {
      accessKeyId: "KAPPALOCALDEVKEY1",
      secretAccessKey: "secret:with:colons",
    });
  });

  it("rejects what the gateway would refuse, as a usage error naming the flag", () => {
    for (const bad of [
      "nocolon",
      "short:averyveryverylongsecret",
      "KAPPALOCALDEVKEY1:short",
      "lowercaselowercase:averyveryverylongsecret",
      ":x",
    ]) {
      assert.throws(
        () => parseAccessKey(bad),
        (e: unknown) => e instanceof UsageError && /--access-key/.test(e.message),
        bad,
      );
    }
  });

  it("generates keys the parser accepts, different every time", () => {
    const a = generateAccessKey();
    const b = generateAccessKey();
    assert.notEqual(a.accessKeyId, b.accessKeyId);
    assert.deepEqual(parseAccessKey(`${a.accessKeyId}:${a.secretAccessKey}`), a);
    assert.equal(a.secretAccessKey.length, 40);
  });
});
