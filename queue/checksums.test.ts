import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { md5OfBody, md5OfMessageAttributes } from "./checksums.js";

test("MD5OfBody is the hex MD5 of the UTF-8 body", () => {
  assert.equal(md5OfBody("hello"), "5d41402abc4b2a76b9719d911017c592");
  assert.equal(
    md5OfBody("é"),
    createHash("md5")
      .update(Buffer.from([0xc3, 0xa9]))
      .digest("hex"),
  );
});

test("MD5OfMessageAttributes: sorted by name, length-prefixed name/type/value, transport byte 1 or 2", () => {
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  const expected = createHash("md5")
    .update(
      Buffer.concat([
        len(1),
        Buffer.from("a"),
        len(6),
        Buffer.from("Binary"),
        Buffer.from([2]),
        len(2),
        Buffer.from([9, 8]),
      ]),
    )
    .update(
      Buffer.concat([
        len(1),
        Buffer.from("b"),
        len(6),
        Buffer.from("String"),
        Buffer.from([1]),
        len(1),
        Buffer.from("x"),
      ]),
    )
    .digest("hex");
  const actual = md5OfMessageAttributes({
    b: { dataType: "String", stringValue: "x" },
    a: { dataType: "Binary", binaryValue: Buffer.from([9, 8]) },
  });
  assert.equal(actual, expected);
  assert.equal(md5OfMessageAttributes({}), undefined);
});
