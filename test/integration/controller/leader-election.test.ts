// Leader election through a Redis lease (local multi-process runs), against a real Redis.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RedisLeaderElection } from "../../../controller/leader/redis-lease.js";
import { logger, stopTestRedis, testRedis, until } from "./support.js";

after(stopTestRedis);

describe("RedisLeaderElection", () => {
  it("one leader at a time; the next takes over when the first releases", async () => {
    const redis = new Redis((await testRedis()).url);
    const key = `lease-${process.pid}-a`;
    const a = new RedisLeaderElection({ redis, logger, key, identity: "a", leaseMs: 300 });
    const b = new RedisLeaderElection({ redis, logger, key, identity: "b", leaseMs: 300 });
    try {
      await a.acquire(new AbortController().signal);
      let bLeads = false;
      const bAcquired = b.acquire(new AbortController().signal).then(() => (bLeads = true));
      await new Promise((resolve) => setTimeout(resolve, 800)); // well past the TTL: a keeps renewing
      assert.equal(bLeads, false);
      assert.equal(await redis.get(key), "a");
      await a.release();
      await bAcquired;
      assert.equal(await redis.get(key), "b");
    } finally {
      await a.release();
      await b.release();
      redis.disconnect();
    }
  });

  it("tells the leader when its lease was taken", async () => {
    const redis = new Redis((await testRedis()).url);
    const key = `lease-${process.pid}-b`;
    const a = new RedisLeaderElection({ redis, logger, key, identity: "a", leaseMs: 300 });
    let lost = false;
    a.onLost(() => (lost = true));
    try {
      await a.acquire(new AbortController().signal);
      await redis.set(key, "intruder");
      await until("lost", () => lost, 5_000);
      await a.release();
      assert.equal(await redis.get(key), "intruder", "release never deletes someone else's lease");
    } finally {
      redis.disconnect();
    }
  });
});
