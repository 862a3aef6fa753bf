import assert from "node:assert/strict";
import { test } from "node:test";
import { boundedMemo } from "./bounded-memo.js";

test("a key's value is made once; past the limit the memory starts over and stays bounded", () => {
  const made: string[] = [];
  const memo = boundedMemo(2, (key: string) => {
    made.push(key);
    return { key };
  });
  const a = memo("a");
  assert.equal(memo("a"), a);
  memo("b");
  assert.deepEqual(made, ["a", "b"]);
  memo("c"); // the third key: the two before are forgotten
  assert.equal(memo("c").key, "c");
  assert.notEqual(memo("a"), a);
  assert.deepEqual(made, ["a", "b", "c", "a"]);
  // ...so a caller with ever new keys keeps at most `limit` of them: the last two are still there.
  assert.equal(memo("c").key, "c");
  assert.deepEqual(made, ["a", "b", "c", "a"]);
});
