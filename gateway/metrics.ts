// The gateway's Prometheus metrics. The two per-request ones are counted locally (request-counts.ts); for the
// others label children are cached per label set: prom-client hashes labels on every call otherwise.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { RequestCounts } from "./request-counts.js";

type Labels = Record<string, string>;

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class GatewayMetrics {
  private readonly requests: Counter<"route" | "function" | "status">;
  private readonly duration: Histogram<"function">;
  private readonly throttles: Counter<"function" | "reason">;
  private readonly activator: Counter<"function" | "outcome">;
  private readonly activatorWait: Histogram<"function">;
  private readonly inflight: Gauge<"function">;
  private readonly asyncEvents: Counter<"function" | "outcome">;
  private readonly children = new Map<string, { inc(): void } | { observe(v: number): void }>();
  private readonly counts: RequestCounts;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: "kappa_gateway_requests_total",
      help: "Requests answered, by route key, function and HTTP status",
      labelNames: ["route", "function", "status"],
      registers,
      collect: () => this.counts.collectRequests(),
    });
    this.duration = new Histogram({
      name: "kappa_gateway_request_duration_seconds",
      help: "Time from request received to response sent, by function",
      labelNames: ["function"],
      buckets: DURATION_BUCKETS,
      registers,
      collect: () => this.counts.collectDurations(),
    });
    this.throttles = new Counter({
      name: "kappa_gateway_throttles_total",
      help: "Requests refused for concurrency or queue limits, by function and reason",
      labelNames: ["function", "reason"],
      registers,
    });
    this.activator = new Counter({
      name: "kappa_gateway_activator_requests_total",
      help: "Requests the activator held, by outcome (forwarded, timeout, queue-full)",
      labelNames: ["function", "outcome"],
      registers,
    });
    this.activatorWait = new Histogram({
      name: "kappa_gateway_activator_wait_seconds",
      help: "How long held requests waited for an instance",
      labelNames: ["function"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.inflight = new Gauge({
      name: "kappa_gateway_inflight_requests",
      help: "Invocations in flight through this gateway, by function",
      labelNames: ["function"],
      registers,
    });
    this.asyncEvents = new Counter({
      name: "kappa_gateway_async_events_total",
      help: "Event invocations by outcome (accepted, succeeded, retried, failed, expired)",
      labelNames: ["function", "outcome"],
      registers,
    });
    this.counts = new RequestCounts(this.requests, this.duration, DURATION_BUCKETS);
  }

  request(route: string, fn: string, status: number, seconds: number): void {
    this.counts.add(route, fn, status, seconds);
  }

  throttle(fn: string, reason: string): void {
    this.counter(this.throttles, "t", { function: fn, reason }).inc();
  }

  activatorOutcome(
    fn: string,
    outcome: "forwarded" | "timeout" | "queue-full",
    waitedSeconds?: number,
  ): void {
    this.counter(this.activator, "a", { function: fn, outcome }).inc();
    if (waitedSeconds !== undefined)
      this.histogram(this.activatorWait, "w", { function: fn }).observe(waitedSeconds);
  }

  setInflight(fn: string, value: number): void {
    this.inflight.set({ function: fn }, value);
  }

  asyncEvent(fn: string, outcome: "accepted" | "succeeded" | "retried" | "failed" | "expired"): void {
    this.counter(this.asyncEvents, "e", { function: fn, outcome }).inc();
  }

  private counter<T extends string>(metric: Counter<T>, tag: string, labels: Labels): { inc(): void } {
    const key = `${tag}\0${Object.values(labels).join("\0")}`;
    let child = this.children.get(key) as { inc(): void } | undefined;
    if (!child) {
      child = metric.labels(labels as Record<T, string>);
      this.children.set(key, child);
    }
    return child;
  }

  private histogram<T extends string>(
    metric: Histogram<T>,
    tag: string,
    labels: Labels,
  ): { observe(v: number): void } {
    const key = `${tag}\0${Object.values(labels).join("\0")}`;
    let child = this.children.get(key) as { observe(v: number): void } | undefined;
    if (!child) {
      child = metric.labels(labels as Record<T, string>);
      this.children.set(key, child);
    }
    return child;
  }
}
