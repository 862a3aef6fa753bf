import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  isValidTimezone,
  nextScheduleTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../../../api/schedule-expression.js";

test("rate expressions become a period in seconds", () => {
  assert.deepEqual(parseScheduleExpression("rate(1 minute)"), { kind: "rate", everySeconds: 60 });
  assert.deepEqual(parseScheduleExpression("rate(2 hours)"), { kind: "rate", everySeconds: 7200 });
  assert.deepEqual(parseScheduleExpression("rate(7 days)"), { kind: "rate", everySeconds: 604800 });
});

test("any positive rate parses to value x unit seconds", () => {
  const units = [
    ["minute", 60],
    ["hour", 3600],
    ["day", 86400],
  ] as const;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100000 }), fc.constantFrom(...units), (n, [unit, seconds]) => {
      const parsed = parseScheduleExpression(`rate(${n} ${n === 1 ? unit : `${unit}s`})`);
      assert.deepEqual(parsed, { kind: "rate", everySeconds: n * seconds });
    }),
  );
});

test("EventBridge cron: ? becomes *, day-of-week 1-7 (SUN=1) becomes 0-6, years are kept", () => {
  assert.deepEqual(parseScheduleExpression("cron(0 12 * * ? *)"), { kind: "cron", cron: "0 12 * * *" });
  assert.deepEqual(parseScheduleExpression("cron(15 10 ? * 2-6 *)"), { kind: "cron", cron: "15 10 * * 1-5" });
  assert.deepEqual(parseScheduleExpression("cron(0 8 ? * 1,7 *)"), { kind: "cron", cron: "0 8 * * 0,6" });
  assert.deepEqual(parseScheduleExpression("cron(0 8 ? * 6#3 *)"), { kind: "cron", cron: "0 8 * * 5#3" });
  assert.deepEqual(parseScheduleExpression("cron(0/10 * ? * MON-FRI 2030-2031)"), {
    kind: "cron",
    cron: "0/10 * * * MON-FRI",
    years: [2030, 2031],
  });
});

test("plain 5-field cron passes through", () => {
  assert.deepEqual(parseScheduleExpression("*/5 * * * *"), { kind: "cron", cron: "*/5 * * * *" });
});

test("bad expressions throw ScheduleExpressionError with the reason", () => {
  for (const [expression, reason] of [
    ["rate(0 minutes)", /positive/],
    ["rate(2 minute)", /rate\(2 minutes\)/],
    ["cron(0 12 * * *)", /needs 6 fields/],
    ["cron(0 12 ? * 8 *)", /day-of-week 8/],
    ["cron(0 12 ? * * 1900)", /years run 1970-2199/],
    ["61 * * * *", /not a valid cron/],
  ] as const) {
    assert.throws(
      () => parseScheduleExpression(expression),
      (e: unknown) => e instanceof ScheduleExpressionError && reason.test(e.message),
      expression,
    );
  }
});

test("next time: rate adds the period; cron honours the time zone and the years", () => {
  const after = new Date("2026-03-10T10:00:00Z");
  assert.equal(
    nextScheduleTime(parseScheduleExpression("rate(5 minutes)"), "UTC", after)?.toISOString(),
    "2026-03-10T10:05:00.000Z",
  );
  // 12:00 in Paris is 11:00 UTC in March (CET, UTC+1)
  assert.equal(
    nextScheduleTime(parseScheduleExpression("cron(0 12 * * ? *)"), "Europe/Paris", after)?.toISOString(),
    "2026-03-10T11:00:00.000Z",
  );
  assert.equal(
    nextScheduleTime(parseScheduleExpression("cron(0 * * * ? 2030)"), "UTC", after)?.toISOString(),
    "2030-01-01T00:00:00.000Z",
  );
  assert.equal(nextScheduleTime(parseScheduleExpression("cron(0 * * * ? 2020)"), "UTC", after), undefined);
});

test("time zones are checked against the runtime's database", () => {
  assert.equal(isValidTimezone("Europe/Paris"), true);
  assert.equal(isValidTimezone("UTC"), true);
  assert.equal(isValidTimezone("Mars/Olympus"), false);
});
