// The controller's Prometheus metrics, registered on the registry the caller passes in.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ControllerMetrics {
  reconciles: Counter<"kind" | "result">;
  reconcileSeconds: Histogram<"kind">;
  desiredInstances: Gauge<"function">;
  readyInstances: Gauge<"function">;
  coldStartSeconds: Histogram<"source">;
  launches: Counter<"source" | "result">;
  crashes: Counter<"kind">;
  triggerBatches: Counter<"trigger" | "result">;
  scheduleRuns: Counter<"schedule" | "result">;
}

export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const registers = [registry];
  return {
    reconciles: new Counter({
      name: "kappa_controller_reconciles_total",
      help: "Reconciles by resource kind and result (ok, error)",
      labelNames: ["kind", "result"],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: "kappa_controller_reconcile_duration_seconds",
      help: "Time one reconcile took",
      labelNames: ["kind"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    desiredInstances: new Gauge({
      name: "kappa_controller_desired_instances",
      help: "Instances the autoscaler wants per function",
      labelNames: ["function"],
      registers,
    }),
    readyInstances: new Gauge({
      name: "kappa_controller_ready_instances",
      help: "Ready instances in the registry per function",
      labelNames: ["function"],
      registers,
    }),
    coldStartSeconds: new Histogram({
      name: "kappa_controller_cold_start_seconds",
      help: "From the demand signal that woke a function at zero to its first instance in the registry",
      labelNames: ["source"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
    launches: new Counter({
      name: "kappa_controller_instance_launches_total",
      help: "Function instance launches by source (pool, new) and result (ok, error)",
      labelNames: ["source", "result"],
      registers,
    }),
    crashes: new Counter({
      name: "kappa_controller_instance_crashes_total",
      help: "Instances that exited without being asked to (function or pool)",
      labelNames: ["kind"],
      registers,
    }),
    triggerBatches: new Counter({
      name: "kappa_controller_queue_trigger_batches_total",
      help: "Batches a queue trigger delivered, by result (ok, partial, error)",
      labelNames: ["trigger", "result"],
      registers,
    }),
    scheduleRuns: new Counter({
      name: "kappa_controller_schedule_runs_total",
      help: "Schedule firings by result (ok, error)",
      labelNames: ["schedule", "result"],
      registers,
    }),
  };
}
