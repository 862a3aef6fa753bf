// spec.concurrency.reserved: a hard cap on a function's concurrent invocations, enforced without a Redis round
// trip on the hot path. Each gateway admits its share of the cap: floor(reserved / live gateways), at least 1.
// Gateways count each other through a heartbeat sorted set (gateway-presence.ts), so the total across
// replicas stays at or under the cap as long as load is spread evenly (Kubernetes Service balancing), and a
// single gateway (local mode) gets the whole cap. The price: with uneven balancing one replica can throttle
// while another has room — approximate, as the issue allows, and never over the cap.
import { HttpError } from "../http/http-error.js";
import type { FunctionSettings } from "../functions.js";

export class ReservedConcurrency {
  private readonly counts = new Map<string, number>();
  private liveGateways = 1;

  setLiveGateways(count: number): void {
    this.liveGateways = Math.max(1, count);
  }

  get liveGatewayCount(): number {
    return this.liveGateways;
  }

  shareOf(reserved: number): number {
    return Math.max(1, Math.floor(reserved / this.liveGateways));
  }

  /** Admits one invocation or throws the Lambda throttle; pair every admit with release. */
  admit(fn: FunctionSettings): void {
    if (fn.reserved === undefined) return;
    const count = this.counts.get(fn.key) ?? 0;
    if (count >= this.shareOf(fn.reserved)) throw reservedThrottle(fn);
    this.counts.set(fn.key, count + 1);
  }

  release(fn: FunctionSettings): void {
    if (fn.reserved === undefined) return;
    const count = (this.counts.get(fn.key) ?? 1) - 1;
    if (count <= 0) this.counts.delete(fn.key);
    else this.counts.set(fn.key, count);
  }
}

export function reservedThrottle(fn: FunctionSettings): HttpError {
  return new HttpError(429, "TooManyRequestsException", "Rate Exceeded.", {
    headers: { "retry-after": "1" },
    extra: {
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      function: `${fn.namespace}/${fn.name}`,
    },
  });
}
