// Leader election through a Redis lease, for several local controller processes sharing one Redis (the Kubernetes
// operator uses a coordination.k8s.io Lease instead). The leader holds `key` with a TTL and renews it at a third of
// the TTL; a renewal that fails (another holder, or Redis unreachable past the TTL) means leadership is lost.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { LeaderElection } from "../controller.js";
import type { RedisClient } from "../registry/instance-registry.js";

// tsc does not copy .lua files: from dist/, read the scripts from the source tree beside it.
const script = (name: string) =>
  readFileSync(
    [
      new URL(`./${name}`, import.meta.url),
      new URL(`../../../controller/leader/${name}`, import.meta.url),
    ].find((u) => existsSync(u))!,
    "utf8",
  );
const RENEW = script("renew-lease-1.lua");
const RELEASE = script("release-lease-1.lua");

export interface RedisLeaseOptions {
  redis: RedisClient;
  logger: Logger;
  /** default kappa:controller:leader */
  key?: string;
  /** default a random id; shown in logs */
  identity?: string;
  /** how long a dead leader blocks others; Kubernetes' default lease is 15 s */
  leaseMs?: number;
}

export class RedisLeaderElection implements LeaderElection {
  readonly identity: string;
  private readonly key: string;
  private readonly leaseMs: number;
  private renewTimer?: NodeJS.Timeout;
  private readonly lostListeners: (() => void)[] = [];
  private leading = false;

  constructor(private readonly options: RedisLeaseOptions) {
    this.identity = options.identity ?? `controller-${randomUUID().slice(0, 8)}`;
    this.key = options.key ?? "kappa:controller:leader";
    this.leaseMs = options.leaseMs ?? 15_000;
  }

  async acquire(signal: AbortSignal): Promise<void> {
    const { redis } = this.options;
    for (;;) {
      if (signal.aborted) throw new Error("leader election aborted");
      const won = await redis.set(this.key, this.identity, "PX", this.leaseMs, "NX");
      if (won === "OK" || (await redis.eval(RENEW, 1, this.key, this.identity, String(this.leaseMs))) === 1)
        break;
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, this.leaseMs / 3)));
    }
    this.leading = true;
    this.options.logger.info({ identity: this.identity, key: this.key }, "acquired the controller lease");
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, this.leaseMs / 3));
    this.renewTimer.unref();
  }

  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  async release(): Promise<void> {
    clearInterval(this.renewTimer);
    if (!this.leading) return;
    this.leading = false;
    await this.options.redis.eval(RELEASE, 1, this.key, this.identity).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (!this.leading) return;
    let renewed = false;
    try {
      renewed =
        (await this.options.redis.eval(RENEW, 1, this.key, this.identity, String(this.leaseMs))) === 1;
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, "could not renew the controller lease");
      return; // retried at the next interval; the lease itself outlives a short Redis blip
    }
    if (renewed) return;
    this.leading = false;
    clearInterval(this.renewTimer);
    this.options.logger.error({ identity: this.identity }, "lost the controller lease");
    for (const listener of this.lostListeners) listener();
  }
}
