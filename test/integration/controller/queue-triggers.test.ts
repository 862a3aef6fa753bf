// Queue triggers against a real Redis and the real queue engine, invoking through the real HttpInvoker (SigV4) a
// small real Invoke API server (invoke-api-server.ts) that stands in for the gateway.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { QueueEngine } from "../../../queue/index.js";
import { HttpInvoker } from "../../../controller/invoker/http-invoker.js";
import type { SqsRecord } from "../../../controller/triggers/sqs-event.js";
import { startHarness, stopTestRedis, testRedis, until, type Harness } from "./support.js";
import { startInvokeApiServer, TEST_ACCESS_KEY, type InvokeApiServer } from "./invoke-api-server.js";

let api: InvokeApiServer;
before(async () => {
  api = await startInvokeApiServer();
});
after(async () => {
  await api.close();
  await stopTestRedis();
});

interface Setup {
  h: Harness;
  engine: QueueEngine;
  engineRedis: Redis;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const server = await testRedis();
  const engineRedis = new Redis(server.url);
  const prefix = `kappa:sqs-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const engine = new QueueEngine({ redis: engineRedis, prefix });
  const invoker = new HttpInvoker({
    endpoint: api.url,
    accessKeyId: TEST_ACCESS_KEY.id,
    secretAccessKey: TEST_ACCESS_KEY.secret,
  });
  const h = await startHarness({ queueEngine: engine, invoker });
  return {
    h,
    engine,
    engineRedis,
    async close() {
      await h.close();
      await engine.close();
      engineRedis.disconnect();
    },
  };
}

const trigger = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "QueueTrigger",
  metadata: { namespace, name, generation: 1 },
  spec: {
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: false,
    enabled: true,
    ...spec,
  },
});

const records = (event: unknown) => (event as { Records: SqsRecord[] }).Records;

describe("queue triggers (real Redis, real queue engine, SigV4 Invoke API)", () => {
  it("delivers batches as SQS events, synchronously, and deletes them on success", async () => {
    const s = await setup();
    try {
      const queueName = `jobs-${s.h.namespace}`;
      await s.engine.createQueue({ queueName });
      const seen: SqsRecord[] = [];
      api.setHandler((invoke) => {
        if (invoke.namespace === s.h.namespace) seen.push(...records(invoke.event));
        return { result: { ok: true } };
      });
      for (let i = 0; i < 5; i++) await s.engine.sendMessage({ queueName, body: `job-${i}` });
      s.h.store.upsert({
        apiVersion: "kappa.dev/v1alpha1",
        kind: "Queue",
        metadata: { namespace: s.h.namespace, name: "jobs", generation: 1 },
        spec: { queueName },
      });
      s.h.store.upsert(
        trigger(s.h.namespace, "jobs-trigger", {
          queue: "jobs",
          function: "worker",
          batchSize: 10,
          maximumBatchingWindowSeconds: 1,
        }),
      );
      await until("5 records delivered", () => seen.length >= 5);
      const invokes = api.received.filter((r) => r.namespace === s.h.namespace);
      assert.ok(invokes.every((r) => r.type === "RequestResponse" && r.name === "worker"));
      assert.deepEqual(seen.map((r) => r.body).sort(), ["job-0", "job-1", "job-2", "job-3", "job-4"]);
      const record = seen[0]!;
      assert.equal(record.eventSource, "aws:sqs");
      assert.match(record.eventSourceARN, new RegExp(`:${queueName}$`));
      assert.equal(record.attributes.ApproximateReceiveCount, "1");
      await until("queue empty (deleted)", async () => {
        const attributes = await s.engine.getQueueAttributes({
          queueName,
          attributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return (
          attributes.ApproximateNumberOfMessages === "0" &&
          attributes.ApproximateNumberOfMessagesNotVisible === "0"
        );
      });
      const status = await until("trigger status", () =>
        s.h.controller.status("QueueTrigger", s.h.namespace, "jobs-trigger")?.lastBatchTime
          ? s.h.controller.status("QueueTrigger", s.h.namespace, "jobs-trigger")
          : undefined,
      );
      assert.equal(status.conditions?.find((c) => c.type === "Ready")?.status, "True");
    } finally {
      await s.close();
    }
  });

  it("partial batch failures: deletes the successes, the failures come back and reach the DLQ after maxReceiveCount", async () => {
    const s = await setup();
    try {
      const queueName = `work-${s.h.namespace}`;
      const dlqName = `work-dlq-${s.h.namespace}`;
      const dlq = await s.engine.createQueue({ queueName: dlqName });
      await s.engine.createQueue({
        queueName,
        attributes: {
          VisibilityTimeout: "1",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
        },
      });
      const attempts = new Map<string, number>();
      api.setHandler((invoke) => {
        if (invoke.namespace !== s.h.namespace) return { result: null };
        const failures = records(invoke.event)
          .filter((r) => {
            attempts.set(r.body, (attempts.get(r.body) ?? 0) + 1);
            return r.body.startsWith("bad");
          })
          .map((r) => ({ itemIdentifier: r.messageId }));
        return { result: { batchItemFailures: failures } };
      });
      await s.engine.sendMessage({ queueName, body: "good-1" });
      await s.engine.sendMessage({ queueName, body: "bad-1" });
      await s.engine.sendMessage({ queueName, body: "good-2" });
      s.h.store.upsert(
        trigger(s.h.namespace, "work-trigger", {
          queue: queueName,
          function: "worker",
          reportBatchItemFailures: true,
        }),
      );
      const moved = await until(
        "the failing message in the DLQ",
        async () => {
          const received = await s.engine.receiveMessage({
            queueName: dlqName,
            maxNumberOfMessages: 10,
            waitTimeSeconds: 1,
          });
          return received.messages.length > 0 ? received.messages : undefined;
        },
        30_000,
      );
      assert.deepEqual(
        moved.map((m) => m.body),
        ["bad-1"],
      );
      assert.equal(attempts.get("good-1"), 1, "a success is deleted and never delivered again");
      assert.equal(attempts.get("good-2"), 1);
      assert.equal(attempts.get("bad-1"), 2, "the failure was retried up to maxReceiveCount");
    } finally {
      await s.close();
    }
  });

  it("a function error leaves the whole batch for the visibility timeout", async () => {
    const s = await setup();
    try {
      const queueName = `flaky-${s.h.namespace}`;
      await s.engine.createQueue({ queueName, attributes: { VisibilityTimeout: "1" } });
      let calls = 0;
      const bodies: string[][] = [];
      api.setHandler((invoke) => {
        if (invoke.namespace !== s.h.namespace) return { result: null };
        calls++;
        bodies.push(records(invoke.event).map((r) => r.body));
        return calls === 1 ? { error: "boom" } : { result: null };
      });
      await s.engine.sendMessage({ queueName, body: "only" });
      s.h.store.upsert(trigger(s.h.namespace, "flaky-trigger", { queue: queueName, function: "worker" }));
      await until("delivered twice", () => calls >= 2);
      assert.deepEqual(bodies.slice(0, 2), [["only"], ["only"]]);
      await until("deleted after the success", async () => {
        const a = await s.engine.getQueueAttributes({
          queueName,
          attributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0";
      });
    } finally {
      await s.close();
    }
  });

  it("reports a missing queue in the trigger's status", async () => {
    const s = await setup();
    try {
      s.h.store.upsert(trigger(s.h.namespace, "lost", { queue: "no-such-queue", function: "worker" }));
      const status = await until("QueueNotFound", () => {
        const st = s.h.controller.status("QueueTrigger", s.h.namespace, "lost");
        return st?.conditions?.find((c) => c.reason === "QueueNotFound") ? st : undefined;
      });
      assert.match(String(status.conditions?.[0]?.message), /no-such-queue/);
    } finally {
      await s.close();
    }
  });
});
