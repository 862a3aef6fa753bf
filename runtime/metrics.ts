// The agent's Prometheus metrics, on a registry of its own (GET /metrics).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class AgentMetrics {
  readonly registry = new Registry();
  readonly invocations = new Counter({
    name: "kappa_runtime_invocations_total",
    help: "Invocations by outcome: success, error (function error), busy (429), not_ready (503)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "kappa_runtime_invocation_duration_seconds",
    help: "Time from receiving an invoke to sending its result",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly inflight = new Gauge({
    name: "kappa_runtime_inflight",
    help: "Invocations running now",
    registers: [this.registry],
  });
  readonly specializeDuration = new Histogram({
    name: "kappa_runtime_specialize_duration_seconds",
    help: "Time to load a function's code and run its init",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: "kappa_runtime_process_restarts_total",
    help: "Function process restarts by reason (timeout, exit, init retry)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly initErrors = new Counter({
    name: "kappa_runtime_init_errors_total",
    help: "Function init failures",
    registers: [this.registry],
  });

  /** The label children, looked up once: labels are hashed on every inc() otherwise. */
  readonly outcome = {
    success: this.invocations.labels("success"),
    error: this.invocations.labels("error"),
    busy: this.invocations.labels("busy"),
    notReady: this.invocations.labels("not_ready"),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "kappa_runtime_" });
  }
}
