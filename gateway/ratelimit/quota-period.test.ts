import { test } from "node:test";
import assert from "node:assert/strict";
import { quotaWindow } from "./quota-period.js";

const iso = (ms: number) => new Date(ms).toISOString();

test("quota windows are UTC days, ISO weeks (Monday) and calendar months", () => {
  const cases: Array<[string, "DAY" | "WEEK" | "MONTH", string, string]> = [
    ["2026-11-22T05:18:00.000Z", "DAY", "2026-11-22T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
    ["2026-11-22T23:59:59.999Z", "DAY", "2026-11-22T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
    // 2026-11-22 is a Sunday: its week began on Monday the 16th
    ["2026-11-22T05:18:00.000Z", "WEEK", "2026-11-16T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
    ["2026-11-23T00:00:00.000Z", "WEEK", "2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"],
    ["2026-12-31T12:00:00.000Z", "MONTH", "2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
    ["2028-02-29T12:00:00.000Z", "MONTH", "2028-02-01T00:00:00.000Z", "2028-03-01T00:00:00.000Z"],
  ];
  for (const [now, period, start, end] of cases) {
    const window = quotaWindow(period, Date.parse(now));
    assert.deepEqual([iso(window.start), iso(window.end)], [start, end], `${period} at ${now}`);
  }
});

test("an unknown period is refused with the allowed values", () => {
  assert.throws(() => quotaWindow("YEAR" as "DAY", 0), /DAY, WEEK or MONTH/);
});
