// Delivers messages that left a queue through its outbox (dead-letter redrive from receive-19.lua, move tasks
// from move-take-19.lua): add to the destination with add-moved-19.lua (idempotent by move id), then forget
// the entry with out-ack-19.lua. A crash in between leaves the entry; the next sweep finishes the move.
import { runScript, type EngineContext } from "./context.js";
import { isQueueError } from "./errors.js";
import { parseBlob } from "./message.js";

export type OutboxEntry = [moveId: string, json: string];

interface EntryJson {
  i: string;
  b: string;
  t: string | number;
  g: string;
  d: string;
  k: "redrive" | "move";
}

/** How often a queue with leftover entries is swept; a missing destination should not cost every receive. */
const SWEEP_INTERVAL_MS = 1000;
/** Entries per sweep: one bounded HSCAN page. */
const SWEEP_BATCH = 200;

export class Outbox {
  private readonly lastSweep = new Map<string, number>();

  constructor(private readonly context: EngineContext) {}

  /** Moves the entries out of `source`; returns how many reached their destination. */
  async deliver(source: string, entries: OutboxEntry[]): Promise<number> {
    let delivered = 0;
    const done: string[] = [];
    for (const [moveId, json] of entries) {
      const entry = JSON.parse(json) as EntryJson;
      const blob = parseBlob(entry.b);
      let destination = entry.d;
      if (entry.k === "redrive") {
        blob.q = source;
        // A FIFO message in its dead-letter queue is deduplicated by its message id, as SQS does.
        if (blob.d !== undefined) blob.d = entry.i;
      } else {
        destination ||= blob.q ?? "";
        delete blob.q;
      }
      if (!destination) {
        this.context.logger?.warn({ source, moveId }, "outbox entry has no destination; dropped");
        done.push(moveId);
        continue;
      }
      try {
        const added = await runScript(this.context, "add-moved", destination, [
          moveId,
          entry.i,
          JSON.stringify(blob),
          String(entry.t),
          entry.g,
        ]);
        if (added === 1) {
          delivered++;
          if (entry.k === "redrive") this.context.metrics?.redriven.inc({ queue: source });
        }
        done.push(moveId);
      } catch (error) {
        if (!isQueueError(error)) throw error;
        // The destination is gone: keep the message in the outbox rather than lose it.
        this.context.logger?.warn(
          { source, destination, moveId, code: error.code },
          "cannot move message yet",
        );
      }
    }
    if (done.length > 0) await runScript(this.context, "out-ack", source, done);
    return delivered;
  }

  /** Finishes moves left by a crashed process; at most one bounded page per queue per interval. */
  async sweep(source: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastSweep.get(source) ?? 0) < SWEEP_INTERVAL_MS) return;
    this.lastSweep.set(source, now);
    if (this.lastSweep.size > 10_000) this.lastSweep.clear();
    const [, flat] = await this.context.redis.hscan(this.context.keys.out(source), "0", "COUNT", SWEEP_BATCH);
    const entries: OutboxEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    if (entries.length > 0) await this.deliver(source, entries);
  }
}
