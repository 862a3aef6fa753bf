// What survives a Redis restart with the append-only file (docs/queues.md, "Durability"): with
// appendfsync always, every acknowledged send survives even a crash (SIGKILL); with everysec, a clean
// restart (SIGTERM, which flushes the AOF) keeps everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { QueueEngine } from "../../../queue/index.js";
import { startRedis } from "../../support/redis.js";

for (const [appendfsync, signal] of [
  ["always", "SIGKILL"],
  ["everysec", "SIGTERM"],
] as const) {
  test(`sent and in-flight messages survive a Redis restart (appendfsync ${appendfsync}, ${signal})`, async () => {
    const server = await startRedis({ appendonly: true, appendfsync });
    const redis = new Redis(server.url);
    const engine = new QueueEngine({ redis, prefix: "durable" });
    try {
      await engine.createQueue({ queueName: "q", attributes: { VisibilityTimeout: "0" } });
      const sent = new Set<string>();
      for (let i = 0; i < 50; i++)
        sent.add((await engine.sendMessage({ queueName: "q", body: `m${i}` })).messageId);
      const held = await engine.receiveMessage({
        queueName: "q",
        maxNumberOfMessages: 5,
        visibilityTimeout: 0,
      });
      assert.equal(held.messages.length, 5);

      await server.restart({ signal });

      const received = new Set<string>();
      for (;;) {
        const { messages } = await engine.receiveMessage({
          queueName: "q",
          maxNumberOfMessages: 10,
          visibilityTimeout: 300,
        });
        if (messages.length === 0) break;
        for (const m of messages) received.add(m.messageId);
      }
      assert.deepEqual([...received].sort(), [...sent].sort());
    } finally {
      await engine.close();
      redis.disconnect();
      await server.stop();
    }
  });
}
