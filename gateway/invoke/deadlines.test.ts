import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Deadlines, Expiring } from "./deadlines.js";

class Attempt extends Expiring {
  expiredAt: number | undefined;
  constructor(
    readonly name: string,
    private readonly order: string[],
    private readonly then?: () => void,
  ) {
    super();
  }
  override expire(): void {
    this.expiredAt = performance.now();
    this.order.push(this.name);
    this.then?.();
  }
}

/** Waits until `done` holds, checking every few milliseconds, for at most `ms`. */
async function until(done: () => boolean, ms = 2_000): Promise<void> {
  for (const end = performance.now() + ms; !done() && performance.now() < end;) await sleep(5);
}

test("an entry expires once its duration has passed, not before, and leaves its list", async () => {
  const deadlines = new Deadlines();
  const order: string[] = [];
  const attempt = new Attempt("a", order);
  const added = performance.now();
  deadlines.add(attempt, 40);
  assert.equal(deadlines.size, 1);
  await until(() => order.length > 0);
  assert.deepEqual(order, ["a"]);
  assert.ok(attempt.expiredAt! - added >= 40, `expired after ${attempt.expiredAt! - added} ms`);
  assert.equal(deadlines.size, 0);
});

test("a removed entry never expires; removing twice or an entry never added is harmless", async () => {
  const deadlines = new Deadlines();
  const order: string[] = [];
  const kept = new Attempt("kept", order);
  const removed = new Attempt("removed", order);
  deadlines.add(removed, 20);
  deadlines.add(kept, 30);
  deadlines.remove(removed);
  deadlines.remove(removed);
  deadlines.remove(new Attempt("never added", order));
  assert.equal(deadlines.size, 1);
  await until(() => order.length > 0);
  await sleep(30);
  assert.deepEqual(order, ["kept"]);
});

test("entries of a shorter duration added later expire first; each list keeps its own order", async () => {
  const deadlines = new Deadlines();
  const order: string[] = [];
  deadlines.add(new Attempt("long-1", order), 300);
  deadlines.add(new Attempt("long-2", order), 300);
  deadlines.add(new Attempt("short-1", order), 20);
  deadlines.add(new Attempt("short-2", order), 20);
  await until(() => order.length === 4);
  assert.deepEqual(order, ["short-1", "short-2", "long-1", "long-2"]);
});

test("an entry added again moves to its new deadline; an expiry may add the next attempt", async () => {
  const deadlines = new Deadlines();
  const order: string[] = [];
  const moved = new Attempt("moved", order);
  deadlines.add(moved, 10);
  deadlines.add(moved, 500);
  assert.equal(deadlines.size, 1);
  const retry = new Attempt("retry", order);
  deadlines.add(new Attempt("first", order, () => deadlines.add(retry, 10)), 20);
  await until(() => order.length === 3);
  assert.deepEqual(order, ["first", "retry", "moved"]);
  assert.equal(deadlines.size, 0);
});

test("hundreds of entries of one duration: the ring grows, early leavers never expire, the rest keep order", async () => {
  const deadlines = new Deadlines();
  const order: string[] = [];
  const attempts = Array.from({ length: 300 }, (_, i) => new Attempt(String(i), order));
  for (const attempt of attempts) deadlines.add(attempt, 30);
  for (let i = 0; i < attempts.length; i += 2) deadlines.remove(attempts[i]!);
  assert.equal(deadlines.size, 150);
  await until(() => order.length === 150);
  await sleep(20);
  assert.deepEqual(
    order,
    attempts.filter((_, i) => i % 2 === 1).map((a) => a.name),
  );
  assert.equal(deadlines.size, 0);
});

test("slot numbers start over while entries keep coming and leaving, and the live ones still expire in order", async () => {
  const deadlines = new Deadlines(100);
  const order: string[] = [];
  const live: Attempt[] = [];
  for (let i = 0; i < 1_000; i++) {
    const attempt = new Attempt(String(i), order);
    deadlines.add(attempt, 40);
    live.push(attempt);
    if (live.length > 10) deadlines.remove(live.shift()!);
  }
  assert.equal(deadlines.size, 10);
  for (const attempt of live) assert.ok(attempt.expiringSlot < 200, `slot ${attempt.expiringSlot}`);
  await until(() => order.length === 10);
  assert.deepEqual(
    order,
    live.map((a) => a.name),
  );
});

test("after slot numbers start over, exactly the entries still on the list expire, in order", async () => {
  // Runs of different lengths, so that the last restart of the numbering falls among the entries still on the list.
  const runs: { order: string[]; live: Attempt[] }[] = [];
  for (let total = 100; total < 400; total += 7) {
    const deadlines = new Deadlines(100);
    const run = { order: [] as string[], live: [] as Attempt[] };
    for (let i = 0; i < total; i++) {
      const attempt = new Attempt(String(i), run.order);
      deadlines.add(attempt, 30);
      run.live.push(attempt);
      if (run.live.length > 10) deadlines.remove(run.live.shift()!);
    }
    runs.push(run);
  }
  await until(() => runs.every((run) => run.order.length >= 10));
  await sleep(20);
  for (const run of runs)
    assert.deepEqual(
      run.order,
      run.live.map((a) => a.name),
    );
});

test("an emptied list is kept for its duration's next entry, but no more than a few empty ones are kept", () => {
  const deadlines = new Deadlines();
  const attempt = new Attempt("a", []);
  deadlines.add(attempt, 1_000);
  deadlines.remove(attempt);
  assert.equal(deadlines.listCount, 1);
  for (let duration = 2_000; duration < 102_000; duration += 1_000) {
    deadlines.add(attempt, duration);
    deadlines.remove(attempt);
  }
  assert.ok(deadlines.listCount <= 17, `${deadlines.listCount} lists kept`);
  assert.equal(deadlines.size, 0);
});
