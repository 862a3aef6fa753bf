import assert from "node:assert/strict";
import { test } from "node:test";
import type { FunctionSettings } from "../functions.js";
import { isHttpError } from "../http/http-error.js";
import { ReservedConcurrency } from "./reserved-concurrency.js";

const fn = (reserved?: number): FunctionSettings => ({
  namespace: "ns",
  name: "fn",
  key: "ns/fn",
  timeoutMs: 1000,
  perInstance: 1,
  reserved,
  async: { maxRetries: 2, maxEventAgeSeconds: 60 },
});

test("admits up to the cap, then throws Lambda's reserved-concurrency throttle; release frees a place", () => {
  const limiter = new ReservedConcurrency();
  const capped = fn(2);
  limiter.admit(capped);
  limiter.admit(capped);
  assert.throws(
    () => limiter.admit(capped),
    (e: unknown) =>
      isHttpError(e) &&
      e.status === 429 &&
      e.options.extra?.Reason === "ReservedFunctionConcurrentInvocationLimitExceeded",
  );
  limiter.release(capped);
  limiter.admit(capped);
});

test("each of N live gateways admits floor(reserved / N), at least 1", () => {
  const limiter = new ReservedConcurrency();
  limiter.setLiveGateways(3);
  assert.equal(limiter.shareOf(10), 3);
  assert.equal(limiter.shareOf(2), 1);
  limiter.setLiveGateways(0);
  assert.equal(limiter.shareOf(10), 10);
});

test("functions without a reservation are never throttled", () => {
  const limiter = new ReservedConcurrency();
  for (let i = 0; i < 1000; i++) limiter.admit(fn());
});
