// The agent's Prometheus metrics (the names of runtime/metrics.ts), kept by the host worker and written as
// Prometheus text by hand: the worker runs from plain files under whichever Node binary the function uses,
// without the agent's node_modules. Restart and init-error counts come from the supervisor, which outlives
// workers; the others count from the worker's start (Prometheus treats the drop as a counter reset).

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const SPECIALIZE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  constructor(buckets) {
    this.buckets = buckets;
    this.counts = new Array(buckets.length).fill(0);
    this.sum = 0;
    this.count = 0;
  }

  observe(value) {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]) {
        this.counts[i]++;
        return;
      }
    }
  }

  lines(name) {
    const out = [];
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.counts[i];
      out.push(`${name}_bucket{le="${this.buckets[i]}"} ${cumulative}`);
    }
    out.push(
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.count}`,
    );
    return out;
  }
}

export class WorkerMetrics {
  constructor() {
    this.outcomes = { success: 0, error: 0, busy: 0, not_ready: 0 };
    this.duration = new Histogram(DURATION_BUCKETS);
    this.specializeDuration = new Histogram(SPECIALIZE_BUCKETS);
    this.inflight = 0;
    this.restarts = {};
    this.initErrors = 0;
  }

  /** Counts the supervisor carries across workers. */
  carry({ restarts, initErrors }) {
    this.restarts = { ...restarts };
    this.initErrors = initErrors;
  }

  text() {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const lines = [
      "# HELP kappa_runtime_invocations_total Invocations by outcome: success, error (function error), busy (429), not_ready (503)",
      "# TYPE kappa_runtime_invocations_total counter",
      ...Object.entries(this.outcomes).map(
        ([outcome, n]) => `kappa_runtime_invocations_total{outcome="${outcome}"} ${n}`,
      ),
      "# HELP kappa_runtime_invocation_duration_seconds Time from receiving an invoke to sending its result",
      "# TYPE kappa_runtime_invocation_duration_seconds histogram",
      ...this.duration.lines("kappa_runtime_invocation_duration_seconds"),
      "# HELP kappa_runtime_inflight Invocations running now",
      "# TYPE kappa_runtime_inflight gauge",
      `kappa_runtime_inflight ${this.inflight}`,
      "# HELP kappa_runtime_specialize_duration_seconds Time to load a function's code and run its init",
      "# TYPE kappa_runtime_specialize_duration_seconds histogram",
      ...this.specializeDuration.lines("kappa_runtime_specialize_duration_seconds"),
      "# HELP kappa_runtime_process_restarts_total Function process restarts by reason (timeout, exit, init retry)",
      "# TYPE kappa_runtime_process_restarts_total counter",
      ...Object.entries(this.restarts).map(
        ([reason, n]) => `kappa_runtime_process_restarts_total{reason="${reason}"} ${n}`,
      ),
      "# HELP kappa_runtime_init_errors_total Function init failures",
      "# TYPE kappa_runtime_init_errors_total counter",
      `kappa_runtime_init_errors_total ${this.initErrors}`,
      "# HELP kappa_runtime_process_cpu_seconds_total User and system CPU time of the host worker",
      "# TYPE kappa_runtime_process_cpu_seconds_total counter",
      `kappa_runtime_process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
      "# HELP kappa_runtime_process_resident_memory_bytes Resident memory of the host worker",
      "# TYPE kappa_runtime_process_resident_memory_bytes gauge",
      `kappa_runtime_process_resident_memory_bytes ${mem.rss}`,
      "# HELP kappa_runtime_nodejs_heap_size_used_bytes V8 heap in use in the host worker",
      "# TYPE kappa_runtime_nodejs_heap_size_used_bytes gauge",
      `kappa_runtime_nodejs_heap_size_used_bytes ${mem.heapUsed}`,
    ];
    return lines.join("\n") + "\n";
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
