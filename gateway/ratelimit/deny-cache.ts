// The local fast path for requests over their limit. Once Redis has refused a bucket and said when it will next
// admit a request, this replica refuses that bucket locally until then, without a round trip. That is exact: a
// GCRA bucket's next admission time only moves later when others take from it, never earlier, so a local refusal
// inside the window is a refusal Redis would have given too. (The window starts when the answer arrives, a little
// after Redis decided, so the local deadline errs late by one round trip, never early.)
// Requests under their limit have their own fast path, leases of headroom held in Redis (leases.ts; see
// docs/security.md, "Exactness").
import type { Clock } from "./deps.js";

/** Entries kept at most; a flood of distinct keys (e.g. spoofed source IPs) must not grow memory without bound. */
const DEFAULT_MAX_ENTRIES = 10_000;

export class DenyCache {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /** Milliseconds this bucket stays refused, or 0 when Redis must decide. */
  refusedFor(key: string): number {
    const deadline = this.until.get(key);
    if (deadline === undefined) return 0;
    const left = deadline - this.clock.now();
    if (left > 0) return left;
    this.until.delete(key);
    return 0;
  }

  refuse(key: string, forMs: number): void {
    if (forMs <= 0) return;
    this.until.delete(key);
    if (this.until.size >= this.maxEntries) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
    this.until.set(key, this.clock.now() + forMs);
  }

  get size(): number {
    return this.until.size;
  }
}
