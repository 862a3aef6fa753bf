import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { QueueEngine } from "../../../queue/index.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server.stop());

test("counters and per-queue depth gauges are exported to the registry passed in", async () => {
  const redis = new Redis(server.url);
  const registry = new Registry();
  const engine = new QueueEngine({ redis, prefix: uniquePrefix("metrics"), registry });
  try {
    await engine.createQueue({ queueName: "m" });
    for (let i = 0; i < 3; i++) await engine.sendMessage({ queueName: "m", body: `b${i}` });
    await engine.sendMessage({ queueName: "m", body: "later", delaySeconds: 600 });
    const { messages } = await engine.receiveMessage({ queueName: "m", maxNumberOfMessages: 2 });
    await engine.deleteMessage({ queueName: "m", receiptHandle: messages[0]!.receiptHandle });
    const text = await registry.metrics();
    assert.match(text, /kappa_queue_messages_sent_total\{queue="m"\} 4/);
    assert.match(text, /kappa_queue_messages_received_total\{queue="m"\} 2/);
    assert.match(text, /kappa_queue_messages_deleted_total\{queue="m"\} 1/);
    assert.match(text, /kappa_queue_depth\{queue="m",state="visible"\} 1/);
    assert.match(text, /kappa_queue_depth\{queue="m",state="in_flight"\} 1/);
    assert.match(text, /kappa_queue_depth\{queue="m",state="delayed"\} 1/);
  } finally {
    await engine.close();
    redis.disconnect();
  }
});
