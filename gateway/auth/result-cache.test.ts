import { test } from "node:test";
import assert from "node:assert/strict";
import { ResultCache } from "./result-cache.js";

test("entries expire after their TTL and TTL 0 stores nothing", () => {
  let now = 1000;
  const cache = new ResultCache<string>({ now: () => now }, 10);
  cache.set("a", "A", 500);
  cache.set("zero", "Z", 0);
  assert.equal(cache.get("a"), "A");
  assert.equal(cache.get("zero"), undefined);
  now += 499;
  assert.equal(cache.get("a"), "A");
  now += 1;
  assert.equal(cache.get("a"), undefined);
});

test("the cache is bounded and evicts the least recently used entry", () => {
  const cache = new ResultCache<number>({ now: () => 0 }, 3);
  cache.set("a", 1, 1000);
  cache.set("b", 2, 1000);
  cache.set("c", 3, 1000);
  assert.equal(cache.get("a"), 1); // a is now the most recent
  cache.set("d", 4, 1000);
  assert.equal(cache.size, 3);
  assert.equal(cache.get("b"), undefined);
  assert.deepEqual([cache.get("a"), cache.get("c"), cache.get("d")], [1, 3, 4]);
});
