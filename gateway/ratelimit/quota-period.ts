// Usage-plan quota periods, in UTC as API Gateway counts them: a DAY starts at 00:00, a WEEK on Monday 00:00
// (ISO weeks), a MONTH on the 1st at 00:00. Pure: the caller passes `now`.

export type QuotaPeriodName = "DAY" | "WEEK" | "MONTH";

export interface QuotaWindow {
  /** epoch ms of the period's first instant */
  start: number;
  /** epoch ms of the next period's first instant */
  end: number;
}

const DAY_MS = 86_400_000;

export function quotaWindow(period: QuotaPeriodName, now: number): QuotaWindow {
  const date = new Date(now);
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case "DAY":
      return { start: dayStart, end: dayStart + DAY_MS };
    case "WEEK": {
      const daysSinceMonday = (date.getUTCDay() + 6) % 7;
      const start = dayStart - daysSinceMonday * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case "MONTH":
      return {
        start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
        end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
      };
    default:
      throw new RangeError(`quota.period must be DAY, WEEK or MONTH (got ${String(period)})`);
  }
}
