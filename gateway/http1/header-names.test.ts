import assert from "node:assert/strict";
import { test } from "node:test";
import { lowerCaseToken } from "./header-names.js";

test("a token is lower-cased; anything else is not a header name", () => {
  assert.equal(lowerCaseToken("Content-Type"), "content-type");
  assert.equal(lowerCaseToken("X-API-Key"), "x-api-key");
  assert.equal(lowerCaseToken("x!#$%&'*+-.^_`|~9"), "x!#$%&'*+-.^_`|~9");
  for (const name of ["", "X A", "X-A ", " X-A", "X:A", "X\r\nA", "X\0", "Ä", "X\tA", "(x)"]) {
    assert.equal(lowerCaseToken(name), undefined, JSON.stringify(name));
  }
});

test("answers stay right after the cache of names starts over, and a refused name is never kept", () => {
  // More distinct names than the cache keeps, with a bad one asked in between each time.
  for (let i = 0; i < 2_000; i++) {
    assert.equal(lowerCaseToken(`X-Name-${i}`), `x-name-${i}`);
    assert.equal(lowerCaseToken(`X Name ${i}`), undefined);
  }
  assert.equal(lowerCaseToken("X-Name-0"), "x-name-0");
  assert.equal(lowerCaseToken("X Name 0"), undefined);
});
