// Counter children for the hot path. prom-client hashes a child's labels into a string and looks it up on every
// inc(); these count in a plain number instead and add it to the counter when the registry is read (the counter's
// collect hook runs before every read: /metrics, get(), cluster aggregation), so what is exposed is exact.
import type { Counter, LabelValues } from "prom-client";

export interface CounterChild {
  inc(): void;
}

class PendingCount<L extends string> implements CounterChild {
  count = 0;
  constructor(readonly labels: LabelValues<L>) {}
  inc(): void {
    this.count++;
  }
}

export class BatchedCounts<L extends string> {
  private readonly pending: PendingCount<L>[] = [];

  /** A child counting into `labels`' series; keep it (one per label set) and call inc() per event. */
  child(labels: LabelValues<L>): CounterChild {
    const child = new PendingCount(labels);
    this.pending.push(child);
    return child;
  }

  /** Adds what was counted since the last flush to `counter`: the counter's `collect` option. */
  flushInto(counter: Counter<L>): void {
    for (const child of this.pending) {
      if (child.count === 0) continue;
      counter.inc(child.labels, child.count);
      child.count = 0;
    }
  }
}
