// Schedule expressions as EventBridge writes them — rate(5 minutes), cron(0 12 * * ? *) — plus a plain 5-field
// cron. Pure: nextFireTime(expression, after, timezone) gives the next firing strictly after `after`.
import { CronExpressionParser } from "cron-parser";

export type ParsedSchedule = { kind: "rate"; intervalMs: number } | { kind: "cron"; cron: string };

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
}

export function parseSchedule(expression: string): ParsedSchedule {
  const text = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!.toLowerCase().replace(/s$/, "");
    if (value < 1) throw new ScheduleExpressionError(`spec.expression ${text}: the rate must be at least 1`);
    if (value === 1 && rate[2]!.toLowerCase().endsWith("s")) {
      // EventBridge rejects rate(1 minutes); accept it, the meaning is clear.
    }
    return { kind: "rate", intervalMs: value * UNIT_MS[unit]! };
  }
  if (/^rate\(/i.test(text)) {
    throw new ScheduleExpressionError(
      `spec.expression ${text}: write rate(<n> minute[s]|hour[s]|day[s]), e.g. rate(5 minutes)`,
    );
  }
  const cron = /^cron\((.*)\)$/i.exec(text);
  let fields: string[];
  if (cron) {
    // EventBridge: minutes hours day-of-month month day-of-week year; "?" means "any" in one of the day fields.
    fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new ScheduleExpressionError(
        `spec.expression ${text}: cron() takes 6 fields (minutes hours day-of-month month day-of-week year)`,
      );
    }
    const year = fields.pop()!;
    if (year !== "*" && year !== "?") {
      throw new ScheduleExpressionError(`spec.expression ${text}: only * is supported in the year field`);
    }
    fields = fields.map((f) => (f === "?" ? "*" : f));
  } else {
    fields = text.split(/\s+/);
    if (fields.length !== 5) {
      throw new ScheduleExpressionError(
        `spec.expression ${text}: use rate(...), cron(6 fields) or a 5-field cron like "*/5 * * * *"`,
      );
    }
  }
  const expressionText = fields.join(" ");
  try {
    CronExpressionParser.parse(expressionText, { tz: "UTC" });
  } catch (error) {
    throw new ScheduleExpressionError(`spec.expression ${text}: ${(error as Error).message}`);
  }
  return { kind: "cron", cron: expressionText };
}

/**
 * The next firing strictly after `after`. Rate schedules are anchored at `anchor` (when the schedule started), so
 * rate(5 minutes) fires at anchor + 5 min, + 10 min, ...
 */
export function nextFireTime(
  schedule: ParsedSchedule,
  after: number,
  anchor: number,
  timezone = "UTC",
): number {
  if (schedule.kind === "rate") {
    const periods = Math.floor((after - anchor) / schedule.intervalMs) + 1;
    return anchor + Math.max(1, periods) * schedule.intervalMs;
  }
  const parsed = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(after), tz: timezone });
  return parsed.next().getTime();
}
