// The keyed work queue: one reconcile per key at a time, coalescing, requeue-after and backoff on a fake clock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import type { Clock } from "./clock.js";
import { RetryError, TerminalError } from "./errors.js";
import { WorkQueue } from "./work-queue.js";

/** A clock that only moves when the test says so. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number[] } {
  let now = 0;
  const timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  return {
    now: () => now,
    setTimer(ms, callback) {
      const timer = { at: now + ms, callback, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    advance(ms) {
      now += ms;
      for (const timer of timers.filter((t) => !t.cancelled && t.at <= now)) {
        timer.cancelled = true;
        timer.callback();
      }
    },
    pending: () => timers.filter((t) => !t.cancelled).map((t) => t.at - now),
  };
}

const logger = pino({ level: "silent" });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("WorkQueue", () => {
  it("never runs one key twice at once and coalesces adds during a run into one more run", async () => {
    const clock = fakeClock();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const queue = new WorkQueue(
      async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      clock,
      logger,
    );
    queue.add("a");
    await tick();
    queue.add("a");
    queue.add("a");
    queue.add("a");
    release();
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(runs, 2);
    assert.equal(maxActive, 1);
    await queue.close();
  });

  it("requeues after the delay a reconcile asks for", async () => {
    const clock = fakeClock();
    let runs = 0;
    const queue = new WorkQueue(
      async () => (++runs === 1 ? { requeueAfterMs: 5_000 } : undefined),
      clock,
      logger,
    );
    queue.add("k");
    await tick();
    assert.equal(runs, 1);
    clock.advance(4_999);
    await tick();
    assert.equal(runs, 1);
    clock.advance(1);
    await tick();
    assert.equal(runs, 2);
    await queue.close();
  });

  it("backs off exponentially on errors, honours RetryError delays, and stops on TerminalError", async () => {
    const clock = fakeClock();
    const outcomes: (() => never | void)[] = [
      () => {
        throw new Error("first");
      },
      () => {
        throw new Error("second");
      },
      () => {
        throw new RetryError("wait", 7_000);
      },
      () => {
        throw new TerminalError("Bad", "bad spec");
      },
    ];
    let runs = 0;
    const queue = new WorkQueue(async () => outcomes[runs++]?.(), clock, logger);
    queue.add("k");
    await tick();
    assert.deepEqual(clock.pending(), [100]);
    clock.advance(100);
    await tick();
    assert.deepEqual(clock.pending(), [200]);
    clock.advance(200);
    await tick();
    assert.deepEqual(clock.pending(), [7_000]);
    clock.advance(7_000);
    await tick();
    assert.equal(runs, 4);
    assert.deepEqual(clock.pending(), [], "a terminal error is not retried");
    await queue.close();
  });
});
