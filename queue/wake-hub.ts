// Wakes long-polling receivers when messages become visible. send-19.lua and add-moved-19.lua PUBLISH on the
// queue's wake channel; one dedicated subscriber connection per engine listens on the channels of queues that
// have waiting receivers (reference counted), so nothing polls Redis in a loop.
import type { RedisClient } from "./scripts.js";

interface Channel {
  waiters: number;
  /** Bumped on every publish; a waiter that saw an older value returns at once (no lost wake-ups). */
  version: number;
  listeners: Set<() => void>;
  subscribed: Promise<void>;
}

export interface WakeLease {
  /** The channel's version now; pass it to wait() after checking the queue. */
  version(): number;
  /** Resolves on a publish after `seen`, after `ms`, or on abort; never rejects. */
  wait(seen: number, ms: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

export class WakeHub {
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly redis: RedisClient) {}

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    // Redis and Cluster both have duplicate(); the union of their generic signatures is not callable in TS.
    const subscriber = (this.redis as unknown as { duplicate(): RedisClient }).duplicate();
    this.subscriber = subscriber;
    subscriber.on("message", (channel: string) => this.wake(channel));
    // A reconnect drops subscriptions on the server; ioredis re-subscribes, and waiters still have their
    // timers, so at worst a wake-up is late by the time until their next check.
    subscriber.on("error", () => undefined);
    return subscriber;
  }

  private wake(name: string): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    channel.version++;
    for (const listener of channel.listeners) listener();
  }

  async lease(name: string): Promise<WakeLease> {
    let channel = this.channels.get(name);
    if (!channel) {
      const subscribed = this.connection()
        .subscribe(name)
        .then(() => undefined);
      channel = { waiters: 0, version: 0, listeners: new Set(), subscribed };
      this.channels.set(name, channel);
    }
    channel.waiters++;
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
      wait: (seen, ms, signal) =>
        new Promise<void>((resolve) => {
          if (current.version !== seen || ms <= 0 || signal?.aborted) return resolve();
          const done = () => {
            clearTimeout(timer);
            current.listeners.delete(done);
            signal?.removeEventListener("abort", done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          current.listeners.add(done);
          signal?.addEventListener("abort", done, { once: true });
        }),
      release: () => {
        if (released) return;
        released = true;
        this.releaseChannel(name, current);
      },
    };
  }

  private releaseChannel(name: string, channel: Channel): void {
    channel.waiters--;
    if (channel.waiters > 0 || this.channels.get(name) !== channel) return;
    this.channels.delete(name);
    this.subscriber?.unsubscribe(name).catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const channel of this.channels.values()) for (const listener of channel.listeners) listener();
    this.channels.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) subscriber.disconnect();
  }
}
