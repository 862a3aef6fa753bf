// A keyed work queue like controller-runtime's: a key is never reconciled twice at once, a key enqueued while it is
// being reconciled runs once more afterwards (coalesced), failures back off exponentially per key, and a reconcile
// may ask to run again after a delay.
import type { Logger } from "pino";
import { RetryError, TerminalError, errorMessage } from "./errors.js";
import type { Clock } from "./clock.js";

export interface ReconcileResult {
  /** run this key again after this many ms (waiting on time, e.g. an idle timer) */
  requeueAfterMs?: number;
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

/** Backoff of failed reconciles: 100 ms doubling to 30 s, so a broken dependency is retried but never hammered. */
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 30_000;

export class WorkQueue {
  private readonly dirty = new Set<string>();
  private readonly running = new Set<string>();
  private readonly ready: string[] = [];
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly reconcile: Reconcile,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** keys reconciled at the same time; bounds the load a burst of changes puts on the backend */
    private readonly concurrency = 8,
  ) {}

  add(key: string): void {
    if (this.closed) return;
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.running.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Adds the key after `delayMs`; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(delayMs, () => {
      this.timers.delete(key);
      this.add(key);
    });
    this.timers.set(key, { at, cancel });
  }

  get length(): number {
    return this.dirty.size;
  }

  /** keys being reconciled right now */
  get busy(): number {
    return this.running.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.ready.length = 0;
    this.dirty.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      if (this.running.has(key) || !this.dirty.has(key)) continue;
      this.dirty.delete(key);
      this.running.add(key);
      const run = this.runOne(key).finally(() => {
        this.inFlight.delete(run);
        this.running.delete(key);
        if (this.dirty.has(key)) this.ready.push(key);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async runOne(key: string): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      if (this.closed) return;
      if (error instanceof TerminalError) {
        this.logger.warn({ key, reason: error.reason, err: error.message }, "reconcile failed terminally");
        this.failures.delete(key);
        return;
      }
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(failures - 1, 20));
      const delay = error instanceof RetryError && error.delayMs !== undefined ? error.delayMs : backoff;
      this.logger.warn(
        { key, failures, retryInMs: delay, err: errorMessage(error) },
        "reconcile failed; retrying",
      );
      this.addAfter(key, delay);
    }
  }
}
