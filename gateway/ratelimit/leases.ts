// The local fast path for requests under their limit: a replica's side of the leases in lua/lease.include.lua.
// Each Redis decision may also reserve a share of the bucket's headroom for this replica (a lease): the next
// requests are admitted here without a round trip, counted, and debited in the next call, which settles the
// lease and takes a new one. Exact across replicas: Redis counts every live reservation as spent, so what all
// replicas admit locally plus what Redis admits never exceeds the limit. The price is the other way: headroom
// reserved by a replica that then gets no requests is refused elsewhere until the lease is settled (at most
// USABLE_MS + SWEEP_MS later; LIFETIME_MS if the replica died).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

/** What one script call is asked to do with the caller's lease. */
export interface LeaseCall {
  /** 1 = decide one request now; 0 = only settle the lease */
  cost: 0 | 1;
  /** the lease's field in Redis, or "" for a call that neither settles nor takes a lease */
  holder: string;
  /** requests admitted locally under the previous lease, to commit now */
  debit: number;
  /** a new lease reserves floor(headroom / divisor); 0 = none */
  divisor: number;
  maxLease: number;
  lifetimeMs: number;
}

/** The reply every leasing script gives: [code (1 admitted), retryAfterUs, remaining, leased]. */
export type LeaseReply = [number, number, number, number];

export type LeaseRunner = (call: LeaseCall) => Promise<LeaseReply | undefined>;

export interface Lease {
  readonly holder: string;
  readonly run: LeaseRunner;
  granted: number;
  used: number;
  /** performance.now() after which the lease is no longer used locally */
  usableUntil: number;
  /** remaining as of the last decision, counted down locally */
  remaining: number;
  /** the lease call in flight; other requests of this bucket wait for it unless the bucket is lean */
  settling: Promise<LeaseReply | undefined> | undefined;
  /** the last decision leased nothing (little headroom): requests ask Redis concurrently, as without leases */
  lean: boolean;
  lastUsed: number;
  /** the most the next lease may take: grows while leases run out within their time, shrinks while they go unused */
  size: number;
}

/** Local use of a lease. Short, so headroom reserved by an idle replica comes back quickly. */
const USABLE_MS = 50;
/** How often ended leases are settled and idle entries dropped. */
const SWEEP_MS = 25;
/** Redis drops a reservation after this: only matters when a replica died holding one. Far above USABLE_MS
 * + SWEEP_MS so a busy event loop settles its leases long before Redis could forget them. */
const LIFETIME_MS = 5_000;
/**
 * A lease's largest size starts at MIN_LEASE. A lease used up within its USABLE_MS asks for twice as much next
 * time, up to MAX_LEASE; one less than half used asks for half. So a busy replica asks Redis about every
 * USABLE_MS per bucket rather than every MIN_LEASE requests (at 30,000 req/s: ~20 calls a second, not ~120),
 * while what a replica that falls idle can hold back stays bounded by what it used in its last USABLE_MS (and
 * always by MAX_LEASE and its share of the headroom).
 */
export const MIN_LEASE = 256;
export const MAX_LEASE = 4096;
/** Entries kept at most (a flood of distinct buckets must not grow memory without bound). */
const MAX_ENTRIES = 10_000;
const IDLE_DROP_MS = 1_000;

export class LeaseTable {
  private readonly entries = new Map<string, Lease>();
  private readonly prefix = randomBytes(6).toString("hex");
  private sequence = 0;
  private sweeper: NodeJS.Timeout | undefined;

  /** @param replicas live gateway replicas: a lease takes at most 1/(2 x replicas) of the headroom */
  constructor(private readonly replicas: () => number) {}

  /** Every lease is settled, or used again, at most this long after it was taken (if its replica lives). */
  readonly settledWithinMs = USABLE_MS + 2 * SWEEP_MS;

  get(key: string): Lease | undefined {
    return this.entries.get(key);
  }

  open(key: string, run: LeaseRunner): Lease {
    if (this.entries.size >= MAX_ENTRIES) this.evictOldest();
    const lease: Lease = {
      holder: `${this.prefix}:${++this.sequence}`,
      run,
      granted: 0,
      used: 0,
      usableUntil: 0,
      remaining: 0,
      settling: undefined,
      lean: false,
      lastUsed: performance.now(),
      size: MIN_LEASE,
    };
    this.entries.set(key, lease);
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    return lease;
  }

  /** Admits one request under the lease without Redis, or returns false. */
  admitLocally(lease: Lease): boolean {
    if (lease.used >= lease.granted) return false;
    const now = performance.now();
    if (now >= lease.usableUntil) return false;
    lease.used++;
    lease.lastUsed = now;
    if (lease.remaining > 0) lease.remaining--;
    return true;
  }

  /** True when the request should wait for the lease call in flight and then try locally again. */
  shouldWait(lease: Lease): boolean {
    return lease.settling !== undefined && !lease.lean;
  }

  /** One request decided by Redis; settles the previous lease and takes a new one unless a call is in flight. */
  decide(lease: Lease): Promise<LeaseReply | undefined> {
    lease.lastUsed = performance.now();
    if (lease.settling) return lease.run(plainCall);
    return this.settle(lease, 1);
  }

  /** Settles every lease (the limiter is closing). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const pending = [...this.entries.values()].map(
      (lease) => lease.settling ?? (holdsReservation(lease) ? this.settle(lease, 0) : undefined),
    );
    this.entries.clear();
    await Promise.all(pending);
  }

  get size(): number {
    return this.entries.size;
  }

  private settle(lease: Lease, cost: 0 | 1): Promise<LeaseReply | undefined> {
    const debit = lease.used;
    const sentAt = performance.now();
    if (lease.granted > 0) {
      if (debit >= lease.granted) lease.size = Math.min(2 * lease.size, MAX_LEASE);
      else if (2 * debit < lease.granted) lease.size = Math.max(lease.size >> 1, MIN_LEASE);
    }
    lease.used = 0;
    lease.granted = 0;
    const call: LeaseCall = {
      cost,
      holder: lease.holder,
      debit,
      divisor: cost === 1 ? 2 * Math.max(1, this.replicas()) : 0,
      maxLease: lease.size,
      lifetimeMs: LIFETIME_MS,
    };
    const settling = lease.run(call).then(
      (reply) => {
        lease.settling = undefined;
        if (reply) {
          lease.granted = reply[3];
          lease.remaining = reply[2];
          lease.usableUntil = sentAt + USABLE_MS;
        }
        // Without an answer (Redis trouble) the next requests ask Redis one by one, as without leases.
        lease.lean = cost === 1 && (!reply || reply[3] === 0);
        return reply;
      },
      (error: unknown) => {
        lease.settling = undefined;
        lease.lean = true;
        throw error;
      },
    );
    lease.settling = settling;
    return settling;
  }

  private sweep(): void {
    const now = performance.now();
    for (const [key, lease] of this.entries) {
      if (lease.settling) continue;
      if (holdsReservation(lease) && now >= lease.usableUntil) {
        void this.settle(lease, 0).catch(() => undefined);
      } else if (!holdsReservation(lease) && now - lease.lastUsed > IDLE_DROP_MS) {
        this.entries.delete(key);
      }
    }
    if (this.entries.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private evictOldest(): void {
    const [key, lease] = this.entries.entries().next().value as [string, Lease];
    this.entries.delete(key);
    if (!lease.settling && holdsReservation(lease)) void this.settle(lease, 0).catch(() => undefined);
  }
}

/** The lease admitted requests not yet debited, or still reserves headroom in Redis: it must be settled. */
const holdsReservation = (lease: Lease) => lease.used > 0 || lease.granted > 0;

const plainCall: LeaseCall = { cost: 1, holder: "", debit: 0, divisor: 0, maxLease: 0, lifetimeMs: 0 };
