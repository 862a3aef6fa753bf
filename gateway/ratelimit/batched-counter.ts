// Counter children for the hot path. prom-client hashes a child's labels into a string and looks it up on every
// inc(); these count in a plain number instead and add it to the counter when the registry is read (the counter's
// collect hook runs before every read: /metrics, get(), cluster aggregation), so what is exposed is exact.
import { Counter, type LabelValues, type Registry } from "prom-client";

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

export interface BatchedCounter<L extends string> {
  counter: Counter<L>;
  /** a child for the hot path; make one per label set and keep it */
  child(labels: LabelValues<L>): CounterChild;
}

/**
 * The registry's counter of this name (made here when there is none yet) with children that count locally. A
 * counter made elsewhere has no collect hook of ours, so its children count into it directly.
 */
export function batchedCounter<L extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames: L[] },
): BatchedCounter<L> {
  const existing = registry.getSingleMetric(config.name) as Counter<L> | undefined;
  if (existing) return { counter: existing, child: (labels) => existing.labels(labels) };
  const batched = new BatchedCounts<L>();
  const counter = new Counter({
    ...config,
    registers: [registry],
    collect() {
      batched.flushInto(this);
    },
  });
  return { counter, child: (labels) => batched.child(labels) };
}

/** One child per outcome, made on first use: counting an outcome costs a Map lookup and an increment. */
export class OutcomeCounts {
  private readonly children = new Map<string, CounterChild>();

  constructor(private readonly childFor: (outcome: string) => CounterChild) {}

  count(outcome: string): void {
    let child = this.children.get(outcome);
    if (!child) {
      child = this.childFor(outcome);
      this.children.set(outcome, child);
    }
    child.inc();
  }
}
