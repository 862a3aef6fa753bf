// Schedule expressions as EventBridge writes them — rate(5 minutes), cron(0 12 * * ? *) — and plain 5-field cron.
// Parsed once here so the validator and the controller's scheduler agree on what an expression means.
import { CronExpressionParser } from "cron-parser";

export type ScheduleExpression =
  | { kind: "rate"; everySeconds: number }
  /** cron: a 5-field expression cron-parser understands (day-of-week 0-6 = SUN-SAT); years: allowed years or all */
  | { kind: "cron"; cron: string; years?: number[] };

export class ScheduleExpressionError extends Error {}

const RATE_UNITS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };
const MAX_YEAR_SCAN = 1000;

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(rate[1]!.trim());
  const eventBridgeCron = /^cron\((.*)\)$/.exec(text);
  if (eventBridgeCron) return parseEventBridgeCron(eventBridgeCron[1]!.trim());
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleExpressionError(
      `"${expression}" is not rate(N unit), cron(6 fields) or a 5-field cron (minute hour day-of-month month day-of-week)`,
    );
  }
  checkCron(text, expression);
  return { kind: "cron", cron: text };
}

function parseRate(body: string): ScheduleExpression {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match)
    throw new ScheduleExpressionError(`rate(${body}) must be rate(<N> minute|minutes|hour|hours|day|days)`);
  const value = Number(match[1]);
  const unit = match[2]!;
  if (value < 1)
    throw new ScheduleExpressionError(`rate(${body}): the value must be a positive whole number`);
  const singular = !unit.endsWith("s");
  // EventBridge insists on the grammatical number: rate(1 minute) but rate(5 minutes).
  if (singular !== (value === 1)) {
    const fixed = value === 1 ? unit.replace(/s$/, "") : `${unit}s`;
    throw new ScheduleExpressionError(`rate(${body}) must be written rate(${value} ${fixed})`);
  }
  return { kind: "rate", everySeconds: value * RATE_UNITS[unit.replace(/s$/, "")]! };
}

function parseEventBridgeCron(body: string): ScheduleExpression {
  const fields = body.split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `cron(${body}) needs 6 fields: minutes hours day-of-month month day-of-week year (got ${fields.length})`,
    );
  }
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) {
    throw new ScheduleExpressionError(`cron(${body}): exactly one of day-of-month and day-of-week must be ?`);
  }
  const cron = [
    minute,
    hour,
    dom === "?" ? "*" : dom,
    month,
    dow === "?" ? "*" : shiftDayOfWeek(dow, body),
  ].join(" ");
  checkCron(cron, `cron(${body})`);
  const years = year === "*" ? undefined : parseYears(year, body);
  return years ? { kind: "cron", cron, years } : { kind: "cron", cron };
}

/** EventBridge numbers days 1-7 from Sunday; cron-parser 0-6. Names (MON-FRI) mean the same in both. */
function shiftDayOfWeek(field: string, body: string): string {
  return field.replace(/(^|[,\-/#])?(\d+)/g, (whole, sep: string | undefined, digits: string) => {
    if (sep === "/" || sep === "#") return whole; // a step or an nth-weekday count, not a day
    const day = Number(digits);
    if (day < 1 || day > 7)
      throw new ScheduleExpressionError(`cron(${body}): day-of-week ${day} is not in 1-7 (SUN=1)`);
    return `${sep ?? ""}${day - 1}`;
  });
}

function parseYears(field: string, body: string): number[] {
  const years = new Set<number>();
  for (const part of field.split(",")) {
    const match = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!match)
      throw new ScheduleExpressionError(
        `cron(${body}): year must be *, a year, a range or a list (1970-2199)`,
      );
    const from = Number(match[1]);
    const to = match[2] ? Number(match[2]) : from;
    if (from < 1970 || to > 2199 || to < from)
      throw new ScheduleExpressionError(`cron(${body}): years run 1970-2199`);
    for (let y = from; y <= to; y++) years.add(y);
  }
  return [...years].sort((a, b) => a - b);
}

function checkCron(cron: string, shown: string): void {
  try {
    CronExpressionParser.parse(cron, { strict: false });
  } catch (error) {
    throw new ScheduleExpressionError(`${shown} is not a valid cron expression: ${(error as Error).message}`);
  }
}

/** The first time strictly after `after` at which the schedule fires, or undefined when it never will again. */
export function nextScheduleTime(
  expression: ScheduleExpression,
  timezone: string,
  after: Date,
): Date | undefined {
  if (expression.kind === "rate") return new Date(after.getTime() + expression.everySeconds * 1000);
  let from = after;
  // Each pass either returns or jumps to a later allowed year, so there are at most as many passes as years.
  for (let pass = 0; pass < MAX_YEAR_SCAN; pass++) {
    let next: Date;
    try {
      next = CronExpressionParser.parse(expression.cron, { tz: timezone, currentDate: from }).next().toDate();
    } catch {
      return undefined;
    }
    if (!expression.years) return next;
    const year = next.getUTCFullYear();
    if (expression.years.includes(year)) return next;
    const laterYear = expression.years.find((y) => y > year);
    if (laterYear === undefined) return undefined;
    // a day early, so a zone ahead of UTC still sees its own January 1st
    const jump = new Date(Date.UTC(laterYear, 0, 1) - 86400_000);
    from = jump > next ? jump : next;
  }
  return undefined;
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
