// Wakes long-polling receivers when messages become visible. send-19.lua and add-moved-19.lua PUBLISH
// "<number made visible> <token>" on the queue's wake channel; one dedicated subscriber connection per engine
// listens on the channels of queues that have waiting receivers (reference counted), so nothing polls Redis.
// A send from this engine also wakes its own waiters directly when its script returns (no pub/sub hop); the
// token makes the publish that follows a no-op here, while other engines still wake by pub/sub.
// A publish wakes only as many waiters as its messages need (by each waiter's batch size), oldest first, so ten
// idle consumers do not all run a receive for one batch. No wake-up is lost: messages that no waiting receiver
// covered are kept as credit, and a receiver that was busy (its check started before the publish) and finds
// credit checks again at once; a receiver whose check started after every publish so far saw the queue as it
// is, so it clears the credit and waits. A receiver that leaves more messages visible wakes others (nudge).
// Hand-off: a send of this engine to a standard queue first claims waiting receivers of this engine (claim());
// its script then receives the new messages for them in the same call, and each claimed receiver returns them
// without a receive script of its own (one round trip from send to receive instead of two).
import type { RedisClient } from "./scripts.js";

/** What a waiting receiver asks for when a local send hands it messages. */
export interface HandOffRequest {
  max: number;
  /** Seconds, -1 for the queue's default. */
  visibility: number;
}

/** A waiter a send claimed: give it the messages its script received for it (none: it looks itself). */
export interface ClaimedWaiter {
  request: HandOffRequest;
  /** `flat` as receive-19.lua returns messages; `visibilityMs` the timeout they got. */
  deliver(flat: (string | number)[] | undefined, visibilityMs?: number): void;
}

interface Waiter {
  capacity: number;
  handOff?: HandOffRequest;
  settle(handed?: (string | number)[]): void;
}

interface Channel {
  leases: number;
  /** Bumped on every publish; a waiter that saw an older value may have missed a wake (see credit). */
  version: number;
  /** Messages published that no waiter was woken for: busy receivers that missed the publish take them. */
  credit: number;
  /** A receive found nothing visible; since then every announced message had a waiter woken for it. Until
   * `dueAt` (a delay or visibility timeout ends) a new receiver would find nothing that is not already claimed. */
  empty?: { dueAt: number; clock: number };
  waiters: Set<Waiter>;
  subscribed: Promise<void>;
  linger?: NodeJS.Timeout;
}

/** Keep a channel subscribed this long after its last waiter: consumers come straight back, and SUBSCRIBE is a
 * round trip on their path. */
const LINGER_MS = 10_000;

export interface WakeLease {
  /** The channel's version now; pass it to wait() after checking the queue. */
  version(): number;
  /** Resolves on a wake after `seen`, after `ms`, or on abort; never rejects. With `handOff`, a local send may
   * claim the waiter and resolve it with messages its script received for it (flat, as receive-19.lua's). */
  wait(
    seen: number,
    ms: number,
    capacity: number,
    signal?: AbortSignal,
    handOff?: HandOffRequest,
  ): Promise<(string | number)[] | undefined>;
  /** Wake waiters for `count` messages the caller saw still visible after its receive. */
  nudge(count: number): void;
  /** The caller's receive, started at version `seen`, left nothing visible; something becomes visible by
   * itself (a delay or visibility timeout ends) in `dueInMs` at the earliest. `clock` is the engine's clock
   * offset: a changed offset voids the knowledge. */
  markEmpty(seen: number, dueInMs: number, clock: number): void;
  /** Milliseconds during which the queue is known to have nothing visible that a woken waiter has not claimed
   * (a receive found it empty, every announce since was covered by woken waiters, nothing is due yet), or
   * undefined: then look. */
  quietFor(clock: number): number | undefined;
  release(): void;
}

/** How long closing waits for the subscriber's QUIT to be answered before dropping the connection. */
const QUIT_WAIT_MS = 2_000;
/** Bound on remembered local wake tokens whose publish has not come back (e.g. the subscribe was in flight). */
const MAX_LOCAL_TOKENS = 10_000;

export class WakeHub {
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, Channel>();
  /** Tokens of sends this engine already woke its waiters for; their publish is then skipped once. */
  private readonly localTokens = new Set<string>();
  private closed = false;

  constructor(private readonly redis: RedisClient) {}

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    if (this.closed) throw new Error("queue engine is closed");
    // Redis and Cluster both have duplicate(); the union of their generic signatures is not callable in TS.
    const subscriber = (this.redis as unknown as { duplicate(): RedisClient }).duplicate();
    this.subscriber = subscriber;
    subscriber.on("message", (channel: string, message: string) => this.onMessage(channel, message));
    // A reconnect drops subscriptions on the server; ioredis re-subscribes, and waiters still have their
    // timers, so at worst a wake-up is late by the time until their next check.
    subscriber.on("error", () => undefined);
    return subscriber;
  }

  private onMessage(name: string, message: string): void {
    const space = message.indexOf(" ");
    if (space >= 0 && this.localTokens.delete(message.slice(space + 1))) return;
    this.publish(name, Number(space >= 0 ? message.slice(0, space) : message) || 1);
  }

  /** Takes waiters that accept hand-off off the channel, oldest first, until their batches cover `count`. */
  claim(name: string, count: number): ClaimedWaiter[] {
    const channel = this.channels.get(name);
    const claimed: ClaimedWaiter[] = [];
    if (!channel) return claimed;
    let remaining = count;
    for (const waiter of channel.waiters) {
      if (remaining <= 0) break;
      const request = waiter.handOff;
      if (!request) continue;
      channel.waiters.delete(waiter);
      remaining -= waiter.capacity;
      claimed.push({
        request,
        deliver: (flat, visibilityMs) => {
          // Handed messages are in flight until their timeout: nothing said "empty" beyond that.
          if (flat?.length && channel.empty && visibilityMs !== undefined)
            channel.empty.dueAt = Math.min(channel.empty.dueAt, performance.now() + visibilityMs);
          waiter.settle(flat?.length ? flat : undefined);
        },
      });
    }
    return claimed;
  }

  /** A send of this engine made `count` messages visible: wake now rather than on its publish (`token`). */
  sent(name: string, count: number, token: string): void {
    if (count <= 0 || !this.channels.has(name)) return;
    if (this.localTokens.size >= MAX_LOCAL_TOKENS) this.localTokens.clear();
    this.localTokens.add(token);
    this.publish(name, count);
  }

  private publish(name: string, count: number): void {
    const channel = this.channels.get(name);
    if (channel) this.announce(channel, count);
  }

  /** `count` messages are visible: wake waiters for them and keep what no waiter covered as credit. */
  private announce(channel: Channel, count: number): void {
    channel.version++;
    const uncovered = this.wakeSome(channel, count);
    if (uncovered > 0) {
      channel.credit += uncovered;
      channel.empty = undefined;
    }
  }

  /** Wakes waiters, oldest first, until their capacities cover `count`; returns what is left uncovered. */
  private wakeSome(channel: Channel, count: number): number {
    let remaining = count;
    for (const waiter of channel.waiters) {
      if (remaining <= 0) break;
      remaining -= waiter.capacity;
      waiter.settle();
    }
    return Math.max(0, remaining);
  }

  async lease(name: string): Promise<WakeLease> {
    let channel = this.channels.get(name);
    if (!channel) {
      const subscribed = this.connection()
        .subscribe(name)
        .then(() => undefined);
      channel = { leases: 0, version: 0, credit: 0, waiters: new Set(), subscribed };
      this.channels.set(name, channel);
    }
    channel.leases++;
    clearTimeout(channel.linger);
    const current = channel;
    try {
      await current.subscribed;
    } catch (error) {
      this.releaseChannel(name, current);
      throw error;
    }
    let released = false;
    return {
      version: () => current.version,
      wait: (seen, ms, capacity, signal, handOff) =>
        new Promise<(string | number)[] | undefined>((resolve) => {
          if (ms <= 0 || signal?.aborted) return resolve(undefined);
          if (current.version === seen) current.credit = 0;
          else if (current.credit > 0) {
            current.credit = Math.max(0, current.credit - capacity);
            return resolve(undefined);
          }
          let settled = false;
          const waiter: Waiter = {
            capacity,
            handOff,
            settle: (handed) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              current.waiters.delete(waiter);
              signal?.removeEventListener("abort", onAbort);
              resolve(handed);
            },
          };
          // An aborted waiter may have been chosen for a wake: hand that wake to the next one. (A claimed
          // waiter is off the set: it returns when its send does, with what was received for it.)
          const onAbort = () => {
            if (!current.waiters.has(waiter)) return;
            waiter.settle();
            this.announce(current, capacity);
          };
          const timer = setTimeout(() => {
            if (current.waiters.has(waiter)) waiter.settle();
          }, ms);
          current.waiters.add(waiter);
          signal?.addEventListener("abort", onAbort, { once: true });
        }),
      nudge: (count) => {
        current.empty = undefined;
        this.announce(current, count);
      },
      markEmpty: (seen, dueInMs, clock) => {
        if (current.version === seen) current.empty = { dueAt: performance.now() + dueInMs, clock };
      },
      quietFor: (clock) => {
        const empty = current.empty;
        if (!empty || empty.clock !== clock) return undefined;
        const ms = empty.dueAt - performance.now();
        return ms > 0 ? ms : undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        this.releaseChannel(name, current);
      },
    };
  }

  private releaseChannel(name: string, channel: Channel): void {
    channel.leases--;
    if (channel.leases > 0 || this.channels.get(name) !== channel) return;
    clearTimeout(channel.linger);
    channel.linger = setTimeout(() => {
      if (channel.leases > 0 || this.channels.get(name) !== channel) return;
      this.channels.delete(name);
      this.subscriber?.unsubscribe(name).catch(() => undefined);
    }, LINGER_MS);
    channel.linger.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const channel of this.channels.values()) {
      clearTimeout(channel.linger);
      for (const waiter of channel.waiters) waiter.settle();
    }
    this.channels.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    // QUIT rather than disconnect(): after a reconnect ioredis re-sends SUBSCRIBE for us with no handler on its
    // promise, and disconnect() while that is in flight rejects it unheard (an unhandled rejection, which ends a
    // Node process). QUIT goes after it, so it is answered first; unconnected, quit() just disconnects. Bounded,
    // for a server that takes the command and never answers.
    let bounded: NodeJS.Timeout | undefined;
    await Promise.race([
      subscriber.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        bounded = setTimeout(resolve, QUIT_WAIT_MS);
      }),
    ]);
    clearTimeout(bounded);
    subscriber.disconnect();
  }
}
