import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nextFireTime, parseSchedule } from "./expression.js";

const at = (iso: string) => Date.parse(iso);

describe("parseSchedule", () => {
  const good: [string, ReturnType<typeof parseSchedule>][] = [
    ["rate(1 minute)", { kind: "rate", intervalMs: 60_000 }],
    ["rate(5 minutes)", { kind: "rate", intervalMs: 300_000 }],
    ["rate(2 hours)", { kind: "rate", intervalMs: 7_200_000 }],
    ["rate(1 day)", { kind: "rate", intervalMs: 86_400_000 }],
    ["cron(0 12 * * ? *)", { kind: "cron", cron: "0 12 * * *" }],
    ["cron(15 10 ? * MON-FRI *)", { kind: "cron", cron: "15 10 * * MON-FRI" }],
    ["*/5 * * * *", { kind: "cron", cron: "*/5 * * * *" }],
  ];
  for (const [expression, want] of good)
    it(`accepts ${expression}`, () => assert.deepEqual(parseSchedule(expression), want));

  const bad: [string, RegExp][] = [
    ["rate(0 minutes)", /at least 1/],
    ["rate(5 weeks)", /rate\(<n> minute/],
    ["cron(0 12 * *)", /6 fields/],
    ["cron(0 12 * * ? 2030)", /year/],
    ["every day", /5-field cron/],
    ["99 * * * *", /spec.expression/],
  ];
  for (const [expression, error] of bad)
    it(`rejects ${expression}`, () => assert.throws(() => parseSchedule(expression), error));
});

describe("nextFireTime", () => {
  it("rate: anchored at the start, strictly after `after`", () => {
    const rate = parseSchedule("rate(5 minutes)");
    const anchor = at("2026-01-01T00:00:00Z");
    assert.equal(nextFireTime(rate, anchor, anchor), at("2026-01-01T00:05:00Z"));
    assert.equal(nextFireTime(rate, at("2026-01-01T00:05:00Z"), anchor), at("2026-01-01T00:10:00Z"));
    assert.equal(nextFireTime(rate, at("2026-01-01T00:07:30Z"), anchor), at("2026-01-01T00:10:00Z"));
  });
  it("cron: next matching minute, in the schedule's time zone", () => {
    const noon = parseSchedule("cron(0 12 * * ? *)");
    assert.equal(nextFireTime(noon, at("2026-01-01T11:59:00Z"), 0), at("2026-01-01T12:00:00Z"));
    assert.equal(nextFireTime(noon, at("2026-01-01T12:00:00Z"), 0), at("2026-01-02T12:00:00Z"));
    assert.equal(
      nextFireTime(noon, at("2026-01-01T00:00:00Z"), 0, "Europe/Paris"),
      at("2026-01-01T11:00:00Z"),
    );
  });
});
