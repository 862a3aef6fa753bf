// The two per-request metrics (requests by route, function and status; duration by function), counted in plain
// records and handed to prom-client only when /metrics is read, from the metrics' collect() callbacks.
// prom-client's inc() and observe() hash and validate the label set on every call, even on a cached child: on
// a path serving thousands of requests per second that was a string built and a loop run per metric per
// request. Here a request costs a few equality checks, a counter and a bucket increment.
import type { Counter, Histogram } from "prom-client";

type RequestLabel = "route" | "function" | "status";

interface StatusCount {
  status: number;
  count: number;
  labels: Record<RequestLabel, string>;
}

/** One function's latency histogram: non-cumulative counts per upper bound, as prom-client keeps them. */
interface DurationCounts {
  labels: { function: string };
  buckets: number[];
  sum: number;
  count: number;
}

/** What one (route key, function) pair has seen: its statuses in first-seen order, and its function's durations. */
interface RouteFunctionCounts {
  route: string;
  fn: string;
  statuses: StatusCount[];
  duration: DurationCounts;
}

/** prom-client's stored series of a Histogram (lib/histogram.js, createBaseValues), which collect() writes. */
interface HistogramSeries {
  labels: { function: string };
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

export class RequestCounts {
  private readonly byRoute = new Map<string, Map<string, RouteFunctionCounts>>();
  private readonly durationsByFunction = new Map<string, DurationCounts>();
  /** every record in the order it was first seen: the order prom-client itself would list the series in */
  private readonly statusCounts: StatusCount[] = [];
  private readonly durations: DurationCounts[] = [];
  private last: RouteFunctionCounts | undefined;
  private readonly bounds: readonly number[];

  constructor(
    private readonly requests: Counter<RequestLabel>,
    private readonly duration: Histogram<"function">,
    buckets: readonly number[],
  ) {
    this.bounds = buckets;
  }

  add(route: string, fn: string, status: number, seconds: number): void {
    let pair = this.last;
    if (pair === undefined || pair.route !== route || pair.fn !== fn) pair = this.last = this.pair(route, fn);
    const statuses = pair.statuses;
    let counted = false;
    for (let i = 0; i < statuses.length; i++) {
      const entry = statuses[i]!;
      if (entry.status === status) {
        entry.count++;
        counted = true;
        break;
      }
    }
    if (!counted) {
      const entry = { status, count: 1, labels: { route, function: fn, status: String(status) } };
      statuses.push(entry);
      this.statusCounts.push(entry);
    }
    if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
    const duration = pair.duration;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        duration.buckets[i]!++;
        break;
      }
    }
    duration.sum += seconds;
    duration.count++;
  }

  /** The requests counter's collect(): its series become exactly the totals counted here. */
  collectRequests(): void {
    this.requests.reset();
    for (const entry of this.statusCounts) this.requests.inc(entry.labels, entry.count);
  }

  /** The duration histogram's collect(). prom-client has no public call that sets a histogram's buckets, so
   * the series are written in its own stored shape; request-counts.test.ts compares the output with prom-client
   * fed the same observations, which fails should that shape change. */
  collectDurations(): void {
    const hashMap: Record<string, HistogramSeries> = {};
    for (const duration of this.durations) {
      const bucketValues: Record<number, number> = {};
      for (let i = 0; i < this.bounds.length; i++) bucketValues[this.bounds[i]!] = duration.buckets[i]!;
      // The key only has to be unique per label set; prom-client's own is "function:<value>,".
      hashMap[`function:${duration.labels.function},`] = {
        labels: duration.labels,
        bucketValues,
        sum: duration.sum,
        count: duration.count,
      };
    }
    (this.duration as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap = hashMap;
  }

  private pair(route: string, fn: string): RouteFunctionCounts {
    let byFunction = this.byRoute.get(route);
    if (!byFunction) this.byRoute.set(route, (byFunction = new Map()));
    let pair = byFunction.get(fn);
    if (!pair) {
      pair = { route, fn, statuses: [], duration: this.durationOf(fn) };
      byFunction.set(fn, pair);
    }
    return pair;
  }

  private durationOf(fn: string): DurationCounts {
    let duration = this.durationsByFunction.get(fn);
    if (!duration) {
      duration = { labels: { function: fn }, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.durationsByFunction.set(fn, duration);
      this.durations.push(duration);
    }
    return duration;
  }
}
