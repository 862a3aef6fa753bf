import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { lastNumberText } from "./number-text.js";

test("the remembered text is always String(value), repeats, NaN and negative zero included", () => {
  const text = lastNumberText();
  const values = fc.oneof(
    fc.constantFrom(0, -0, Number.NaN, Infinity, 1_796_000_000_000, 1_796_000_000_001),
    fc.double(),
    fc.integer(),
  );
  fc.assert(
    fc.property(fc.array(values, { maxLength: 20 }), (list) => {
      for (const value of list) assert.equal(text(value), String(value));
    }),
  );
});

test("with text before and after, the number stands between them", () => {
  const line = lastNumberText("\r\ncontent-length: ", ";");
  assert.equal(line(12), "\r\ncontent-length: 12;");
  assert.equal(line(12), "\r\ncontent-length: 12;");
  assert.equal(line(Number.NaN), "\r\ncontent-length: NaN;");
  assert.equal(line(7), "\r\ncontent-length: 7;");
});
