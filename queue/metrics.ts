// Prometheus metrics of the queue engine (prom-client, registry passed in). Depth gauges read Redis in
// collect(), bounded to MAX_QUEUES_SCRAPED queues so a scrape stays cheap however many queues exist.
import { Counter, Gauge, type Registry } from "prom-client";

const MAX_QUEUES_SCRAPED = 200;

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface QueueMetrics {
  sent: Counter<"queue">;
  received: Counter<"queue">;
  deleted: Counter<"queue">;
  redriven: Counter<"queue">;
}

export function createQueueMetrics(
  registry: Registry,
  depths: (limit: number) => Promise<Map<string, QueueDepth>>,
): QueueMetrics {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ["queue"] as const, registers: [registry] });
  const metrics: QueueMetrics = {
    sent: counter("kappa_queue_messages_sent_total", "Messages accepted by SendMessage(Batch)."),
    received: counter("kappa_queue_messages_received_total", "Messages returned by ReceiveMessage."),
    deleted: counter("kappa_queue_messages_deleted_total", "Messages deleted by receipt handle."),
    redriven: counter("kappa_queue_messages_redriven_total", "Messages moved to a dead-letter queue."),
  };
  new Gauge({
    name: "kappa_queue_depth",
    help: `Messages per queue by state (visible, in_flight, delayed); at most ${MAX_QUEUES_SCRAPED} queues.`,
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const all = await depths(MAX_QUEUES_SCRAPED).catch(() => new Map<string, QueueDepth>());
      for (const [queue, depth] of all) {
        this.set({ queue, state: "visible" }, depth.visible);
        this.set({ queue, state: "in_flight" }, depth.inFlight);
        this.set({ queue, state: "delayed" }, depth.delayed);
      }
    },
  });
  return metrics;
}
