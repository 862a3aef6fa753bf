// How large a lease the table asks for: it doubles while leases run out within their time, up to MAX_LEASE, and
// halves, down to MIN_LEASE, while they go mostly unused. The runner here stands in for the Lua script (which
// grants min(maxLease, headroom / divisor); the integration tests run the real one): it grants what is asked,
// and nothing to a call that only settles (divisor 0), as the script does.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LeaseTable, MAX_LEASE, MIN_LEASE, type Lease, type LeaseCall } from "./leases.js";

/** One lease of a one-replica table, the size each taking call asked for, and `rounds` of using leases up. */
function granting(): {
  leases: LeaseTable;
  lease: Lease;
  asked: number[];
  useUp: (rounds: number) => Promise<void>;
} {
  const asked: number[] = [];
  const leases = new LeaseTable(() => 1);
  const lease = leases.open("k", async (call: LeaseCall) => {
    if (call.divisor === 0) return [1, 0, 1_000_000, 0];
    asked.push(call.maxLease);
    return [1, 0, 1_000_000, call.maxLease];
  });
  const useUp = async (rounds: number) => {
    for (let round = 0; round < rounds; round++) {
      await leases.decide(lease);
      while (leases.admitLocally(lease));
    }
  };
  return { leases, lease, asked, useUp };
}

test("a lease used up within its time asks for twice as much next time, up to MAX_LEASE", async () => {
  const { leases, asked, useUp } = granting();
  await useUp(8);
  assert.deepEqual(asked, [
    MIN_LEASE,
    2 * MIN_LEASE,
    4 * MIN_LEASE,
    8 * MIN_LEASE,
    MAX_LEASE,
    MAX_LEASE,
    MAX_LEASE,
    MAX_LEASE,
  ]);
  await leases.close();
});

test("a lease less than half used in its time asks for half as much next time, down to MIN_LEASE", async () => {
  const { leases, lease, asked, useUp } = granting();
  await useUp(4);
  assert.deepEqual(asked, [MIN_LEASE, 2 * MIN_LEASE, 4 * MIN_LEASE, 8 * MIN_LEASE]);
  // The last one was used up too (the next asks for MAX_LEASE); from then on each admits one request and expires.
  for (let round = 0; round < 6; round++) {
    await leases.decide(lease);
    assert.equal(leases.admitLocally(lease), true);
    await sleep(60);
    assert.equal(leases.admitLocally(lease), false, "the lease is past its time");
  }
  assert.deepEqual(asked.slice(4), [
    MAX_LEASE,
    MAX_LEASE / 2,
    MAX_LEASE / 4,
    MAX_LEASE / 8,
    MIN_LEASE,
    MIN_LEASE,
  ]);
  await leases.close();
});
