// The activator: when a function has no ready instance with a free slot, the request waits here (bounded in
// time and in count per function), a DemandSignal goes to the controller on kappa:demand, and the request is
// forwarded the moment the registry reports a change (new instance, or a slot freed) — no polling.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { RedisKeys, type DemandSignal } from "../../api/instances.js";
import type { Clock } from "../clock.js";
import type { FunctionSettings } from "../functions.js";
import type { FunctionInstances, InstanceRegistry, LiveInstance } from "../invoke/instance-registry.js";
import type { GatewayMetrics } from "../metrics.js";

/** Republish demand at most this often per function while requests wait (the reporter also repeats it). */
const DEMAND_DEBOUNCE_MS = 250;

export interface Lease {
  fn: FunctionInstances;
  instance: LiveInstance;
}

export class NoInstanceAvailable extends Error {
  override readonly name = "NoInstanceAvailable";
  constructor(
    message: string,
    readonly reason: "timeout" | "queue-full",
  ) {
    super(message);
  }
}

interface Waiter {
  codeSha256?: string;
  exclude?: ReadonlySet<string>;
  resolve(lease: Lease): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  since: number;
}

export interface ActivatorOptions {
  registry: InstanceRegistry;
  publisher: Redis;
  gatewayId: string;
  logger: Logger;
  clock: Clock;
  metrics: GatewayMetrics;
  /** requests held per function before new ones get 503 */
  maxWaitingPerFunction: number;
  /** the longest a request waits for an instance, whatever its own deadline */
  maxWaitMs: number;
}

export class Activator {
  private readonly queues = new Map<string, Waiter[]>();
  private readonly lastDemand = new Map<string, number>();
  private readonly onChanged = (key: string) => this.drain(key);

  constructor(private readonly options: ActivatorOptions) {
    options.registry.on("changed", this.onChanged);
  }

  close(): void {
    this.options.registry.off("changed", this.onChanged);
    for (const [, queue] of this.queues) {
      for (const waiter of queue) {
        clearTimeout(waiter.timer);
        waiter.reject(new NoInstanceAvailable("the gateway is shutting down", "timeout"));
      }
    }
    this.queues.clear();
  }

  /** A slot on a ready instance, now or once one frees up or appears; NoInstanceAvailable past the bounds. */
  async acquire(target: FunctionSettings, deadline: number, exclude?: ReadonlySet<string>): Promise<Lease> {
    const { registry, clock } = this.options;
    const key = target.key;
    const fn = registry.peek(key) ?? (await registry.get(target.namespace, target.name));
    const queue = this.queues.get(key);
    // Requests already waiting go first; a newcomer may only take a slot when nobody waits.
    if (!queue || queue.length === 0) {
      const instance = fn.tryAcquire(clock.now(), target.codeSha256, exclude);
      if (instance) return { fn, instance };
    }
    return this.hold(key, target, deadline, exclude);
  }

  /** The hot path: a slot right now without a promise, or undefined (then call acquire). */
  tryAcquireNow(
    target: FunctionSettings,
    exclude?: ReadonlySet<string>,
    now = this.options.clock.now(),
  ): Lease | undefined {
    const key = target.key;
    const fn = this.options.registry.peek(key);
    if (!fn || (this.queues.get(key)?.length ?? 0) > 0) return undefined;
    const instance = fn.tryAcquire(now, target.codeSha256, exclude);
    return instance ? { fn, instance } : undefined;
  }

  waiting(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  waitingFunctions(): string[] {
    return [...this.queues.keys()];
  }

  /** Tells the controller about held requests (also called once a second while any wait). */
  signalDemand(key: string, force = false): void {
    const now = this.options.clock.now();
    if (!force && now - (this.lastDemand.get(key) ?? 0) < DEMAND_DEBOUNCE_MS) return;
    this.lastDemand.set(key, now);
    const [namespace, name] = key.split("/") as [string, string];
    const signal: DemandSignal = {
      namespace,
      name,
      waiting: this.waiting(key),
      gatewayId: this.options.gatewayId,
    };
    this.options.publisher
      .publish(RedisKeys.demandChannel, JSON.stringify(signal))
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error, function: key }, "could not publish demand");
      });
  }

  private hold(
    key: string,
    target: FunctionSettings,
    deadline: number,
    exclude?: ReadonlySet<string>,
  ): Promise<Lease> {
    const { clock, metrics, maxWaitingPerFunction, maxWaitMs } = this.options;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
    }
    if (queue.length >= maxWaitingPerFunction) {
      metrics.activatorOutcome(key, "queue-full");
      return Promise.reject(
        new NoInstanceAvailable(
          `${maxWaitingPerFunction} requests are already waiting for ${key}`,
          "queue-full",
        ),
      );
    }
    const now = clock.now();
    const waitMs = Math.max(0, Math.min(deadline - now, maxWaitMs));
    const promise = new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        codeSha256: target.codeSha256,
        exclude,
        resolve,
        reject,
        since: now,
        timer: setTimeout(() => {
          this.remove(key, waiter);
          metrics.activatorOutcome(key, "timeout");
          reject(
            new NoInstanceAvailable(`no instance of ${key} became ready within ${waitMs} ms`, "timeout"),
          );
        }, waitMs),
      };
      queue.push(waiter);
    });
    this.signalDemand(key, queue.length === 1);
    return promise;
  }

  private remove(key: string, waiter: Waiter): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(key);
  }

  private drain(key: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.length === 0) return;
    const fn = this.options.registry.peek(key);
    if (!fn) return;
    const now = this.options.clock.now();
    for (let i = 0; i < queue.length;) {
      const waiter = queue[i]!;
      const instance = fn.tryAcquire(now, waiter.codeSha256, waiter.exclude);
      if (!instance) {
        // Without exclusions nobody behind this waiter can be served either.
        if (!waiter.exclude || waiter.exclude.size === 0) break;
        i++;
        continue;
      }
      queue.splice(i, 1);
      clearTimeout(waiter.timer);
      this.options.metrics.activatorOutcome(key, "forwarded", (now - waiter.since) / 1000);
      waiter.resolve({ fn, instance });
    }
    if (queue.length === 0) this.queues.delete(key);
  }
}
