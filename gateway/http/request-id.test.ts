import assert from "node:assert/strict";
import { test } from "node:test";
import { newRequestId } from "./request-id.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("request ids are version 4 UUIDs, all different, across refills of the random pool", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2_000; i++) {
    const id = newRequestId();
    assert.match(id, UUID_V4);
    seen.add(id);
  }
  assert.equal(seen.size, 2_000);
});

test("every hex digit of a request id is random, apart from the version and variant bits", () => {
  // Over 4,000 ids each free position takes every one of the 16 digits: a constant or a stuck nibble fails.
  const digits = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < 4_000; i++) {
    const id = newRequestId();
    for (let p = 0; p < 36; p++) digits[p]!.add(id[p]!);
  }
  for (let p = 0; p < 36; p++) {
    const expected = [8, 13, 18, 23].includes(p) ? 1 : p === 14 ? 1 : p === 19 ? 4 : 16;
    assert.equal(digits[p]!.size, expected, `position ${p}: ${[...digits[p]!].sort().join("")}`);
  }
});
