import { test } from "node:test";
import assert from "node:assert/strict";
import { QueueError } from "./errors.js";
import { decodeReceipt, encodeReceipt } from "./receipt.js";

const receipt = { messageId: "0b6a1c1e-7f59-4c1b-9a51-1e2f3a4b5c6d", token: "a1b2c3d4e5f6:1795325309285:3" };

test("a receipt handle round-trips and is URL-safe", () => {
  const handle = encodeReceipt(receipt);
  assert.match(handle, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeReceipt(handle), receipt);
});

test("malformed handles are ReceiptHandleIsInvalid, quoting the handle", () => {
  for (const bad of ["", "not base64!", Buffer.from("x|y").toString("base64url"), "a".repeat(1025)]) {
    assert.throws(
      () => decodeReceipt(bad),
      (error: unknown) => error instanceof QueueError && error.code === "ReceiptHandleIsInvalid",
    );
  }
});
