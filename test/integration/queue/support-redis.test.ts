import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startRedis, uniquePrefix } from "../../support/redis.js";

test("startRedis gives a real Redis whose AOF data survives a crash restart", async () => {
  const server = await startRedis({ appendonly: true, appendfsync: "always" });
  const redis = new Redis(server.url);
  try {
    const key = uniquePrefix("support");
    await redis.set(key, "kept");
    await server.restart({ signal: "SIGKILL" });
    assert.equal(await redis.get(key), "kept");
  } finally {
    redis.disconnect();
    await server.stop();
  }
});

test("without appendonly nothing survives a restart", async () => {
  const server = await startRedis();
  const redis = new Redis(server.url);
  try {
    await redis.set("k", "v");
    await server.restart();
    assert.equal(await redis.get("k"), null);
  } finally {
    redis.disconnect();
    await server.stop();
  }
});
