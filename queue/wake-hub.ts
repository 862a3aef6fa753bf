// Wakes long-polling receivers when messages become visible. send-19.lua and add-moved-19.lua PUBLISH the
// number of messages made visible on the queue's wake channel; one dedicated subscriber connection per engine
// listens on the channels of queues that have waiting receivers (reference counted), so nothing polls Redis.
// A publish wakes only as many waiters as its messages need (by each waiter's batch size), oldest first, so ten
// idle consumers do not all run a receive for one batch. No wake-up is lost: a waiter that was busy (not
// waiting) when a publish came sees the channel's version changed and checks again at once, and a waiter
// that filled its batch passes the wake on (nudge) in case more is waiting.
import type { RedisClient } from "./scripts.js";

interface Waiter {
  capacity: number;
  wake(): void;
}

interface Channel {
  leases: number;
  /** Bumped on every publish; a waiter that saw an older value returns at once. */
  version: number;
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
  /** Resolves on a wake after `seen`, after `ms`, or on abort; never rejects. */
  wait(seen: number, ms: number, capacity: number, signal?: AbortSignal): Promise<void>;
  /** Wake one more waiter: the caller took a full batch, so more messages may be visible. */
  nudge(count: number): void;
  release(): void;
}

export class WakeHub {
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  constructor(private readonly redis: RedisClient) {}

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    if (this.closed) throw new Error("queue engine is closed");
    // Redis and Cluster both have duplicate(); the union of their generic signatures is not callable in TS.
    const subscriber = (this.redis as unknown as { duplicate(): RedisClient }).duplicate();
    this.subscriber = subscriber;
    subscriber.on("message", (channel: string, message: string) =>
      this.publish(channel, Number(message) || 1),
    );
    // A reconnect drops subscriptions on the server; ioredis re-subscribes, and waiters still have their
    // timers, so at worst a wake-up is late by the time until their next check.
    subscriber.on("error", () => undefined);
    return subscriber;
  }

  private publish(name: string, count: number): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    channel.version++;
    this.wakeSome(channel, count);
  }

  private wakeSome(channel: Channel, count: number): void {
    let remaining = count;
    for (const waiter of channel.waiters) {
      if (remaining <= 0) break;
      remaining -= waiter.capacity;
      waiter.wake();
    }
  }

  async lease(name: string): Promise<WakeLease> {
    let channel = this.channels.get(name);
    if (!channel) {
      const subscribed = this.connection()
        .subscribe(name)
        .then(() => undefined);
      channel = { leases: 0, version: 0, waiters: new Set(), subscribed };
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
      wait: (seen, ms, capacity, signal) =>
        new Promise<void>((resolve) => {
          if (current.version !== seen || ms <= 0 || signal?.aborted) return resolve();
          const waiter: Waiter = {
            capacity,
            wake: () => {
              clearTimeout(timer);
              current.waiters.delete(waiter);
              signal?.removeEventListener("abort", onAbort);
              resolve();
            },
          };
          // An aborted waiter may have been chosen for a wake: hand that wake to the next one.
          const onAbort = () => {
            waiter.wake();
            this.wakeSome(current, capacity);
          };
          const timer = setTimeout(waiter.wake, ms);
          current.waiters.add(waiter);
          signal?.addEventListener("abort", onAbort, { once: true });
        }),
      nudge: (count) => this.wakeSome(current, count),
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
      for (const waiter of channel.waiters) waiter.wake();
    }
    this.channels.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) subscriber.disconnect();
  }
}
