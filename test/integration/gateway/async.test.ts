// Event invocations: accepted only once in the queue engine (Redis), retried per spec.async with backoff,
// then the AWS destination record goes to onFailure (or onSuccess). Real Redis, real queue engine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { AgentHeaders } from "../../../api/agent.js";
import { QueueEngine } from "../../../queue/index.js";
import {
  ScriptedAgent,
  call,
  eventually,
  functionResource,
  respondWith,
  startTestGateway,
  stopTestRedis,
  testRedis,
  uniquePrefix,
} from "./support.js";

interface DestinationRecord {
  version: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload: { body?: string; marker?: string };
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

async function receiveOne(engine: QueueEngine, queueName: string): Promise<DestinationRecord> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { messages } = await engine.receiveMessage({
      queueName,
      waitTimeSeconds: 1,
      maxNumberOfMessages: 1,
    });
    if (messages[0]) return JSON.parse(messages[0].body) as DestinationRecord;
  }
  throw new Error(`nothing arrived on ${queueName}`);
}

describe("async invocations", () => {
  let engineRedis: Redis;
  let engine: QueueEngine;
  const ns = uniquePrefix("async");
  const offset = { ms: 0 };
  const clock = { now: () => Date.now() + offset.ms };

  before(async () => {
    engineRedis = new Redis((await testRedis()).url);
    engine = new QueueEngine({ redis: engineRedis, prefix: `${ns}:sqs` });
  });
  after(async () => {
    await engine.close();
    engineRedis.disconnect();
    await stopTestRedis();
  });

  test(
    "a failing function is retried maxRetries times, then RetriesExhausted goes to onFailure",
    { timeout: 60_000 },
    async () => {
      const gw = await startTestGateway({ queue: engine, limits: { asyncRetryDelaysSeconds: [1, 1] } });
      const failing = await ScriptedAgent.start(
        respondWith(
          { errorType: "Error", errorMessage: "always" },
          { [AgentHeaders.functionError]: "Unhandled" },
        ),
      );
      try {
        await engine.createQueue({ queueName: `${ns}-dlq` });
        gw.store.upsert(
          functionResource(ns, "fails", {
            async: { maxRetries: 1, maxEventAgeSeconds: 3600, onFailure: { queue: `${ns}-dlq` } },
          }),
        );
        await gw.addInstance(ns, "fails", { url: failing.url });
        const accepted = await call(`${gw.url}/async/function/${ns}/fails`, {
          method: "POST",
          body: JSON.stringify({ marker: "m1" }),
        });
        assert.equal(accepted.status, 202);
        const { requestId } = accepted.json() as { requestId: string };

        const record = await receiveOne(engine, `${ns}-dlq`);
        assert.equal(record.version, "1.0");
        assert.equal(record.requestContext.condition, "RetriesExhausted");
        assert.equal(record.requestContext.approximateInvokeCount, 2);
        assert.equal(record.requestContext.requestId, requestId);
        assert.match(
          record.requestContext.functionArn,
          /^arn:aws:lambda:us-east-1:[^:]+:function:fails:\$LATEST$/,
        );
        assert.equal(JSON.parse(record.requestPayload.body!).marker, "m1");
        assert.deepEqual(record.responseContext, {
          statusCode: 200,
          executedVersion: "$LATEST",
          functionError: "Unhandled",
        });
        assert.deepEqual(record.responsePayload, { errorType: "Error", errorMessage: "always" });
        // Exactly 1 + maxRetries invocations, all with the same request id.
        assert.equal(failing.calls.length, 2);
        assert.deepEqual(new Set(failing.calls.map((c) => c.requestId)), new Set([requestId]));
      } finally {
        await gw.close();
        await failing.stop();
      }
    },
  );

  test("a success goes to onSuccess with condition Success", { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({ queue: engine });
    const ok = await ScriptedAgent.start(respondWith({ done: true }));
    try {
      await engine.createQueue({ queueName: `${ns}-ok` });
      gw.store.upsert(
        functionResource(ns, "works", {
          async: { maxRetries: 2, maxEventAgeSeconds: 3600, onSuccess: { queue: `${ns}-ok` } },
        }),
      );
      await gw.addInstance(ns, "works", { url: ok.url });
      assert.equal(
        (await call(`${gw.url}/async/function/${ns}/works`, { method: "POST", body: "{}" })).status,
        202,
      );
      const record = await receiveOne(engine, `${ns}-ok`);
      assert.equal(record.requestContext.condition, "Success");
      assert.equal(record.requestContext.approximateInvokeCount, 1);
      assert.deepEqual(record.responsePayload, { done: true });
      assert.equal(record.responseContext?.functionError, undefined);
    } finally {
      await gw.close();
      await ok.stop();
    }
  });

  test(
    "an event older than maxEventAgeSeconds is not invoked: EventAgeExceeded to onFailure",
    { timeout: 60_000 },
    async () => {
      // One gateway accepts with its dispatcher off; the next one runs the dispatcher two hours later.
      const acceptor = await startTestGateway({ queue: engine, limits: { asyncDispatcher: false } });
      const never = await ScriptedAgent.start(respondWith({}));
      try {
        await engine.createQueue({ queueName: `${ns}-old` });
        acceptor.store.upsert(
          functionResource(ns, "stale", {
            async: { maxRetries: 2, maxEventAgeSeconds: 60, onFailure: { queue: `${ns}-old` } },
          }),
        );
        assert.equal(
          (await call(`${acceptor.url}/async/function/${ns}/stale`, { method: "POST", body: "{}" })).status,
          202,
        );
      } finally {
        await acceptor.close();
      }
      offset.ms = 2 * 3600 * 1000;
      const later = await startTestGateway({ queue: engine, store: acceptor.store, clock });
      try {
        await later.addInstance(ns, "stale", { url: never.url });
        const record = await receiveOne(engine, `${ns}-old`);
        assert.equal(record.requestContext.condition, "EventAgeExceeded");
        assert.equal(record.requestContext.approximateInvokeCount, 0);
        assert.equal(never.calls.length, 0);
      } finally {
        offset.ms = 0;
        await later.close();
        await never.stop();
      }
    },
  );

  test(
    "nothing accepted is lost when the accepting gateway goes away before invoking",
    { timeout: 60_000 },
    async () => {
      const acceptor = await startTestGateway({ queue: engine, limits: { asyncDispatcher: false } });
      const marker = uniquePrefix("kept");
      acceptor.store.upsert(functionResource(ns, "kept"));
      assert.equal(
        (
          await call(`${acceptor.url}/async/function/${ns}/kept`, {
            method: "POST",
            body: JSON.stringify({ marker }),
          })
        ).status,
        202,
      );
      await acceptor.close();

      const agent = await ScriptedAgent.start(respondWith({}));
      const successor = await startTestGateway({ queue: engine, store: acceptor.store });
      try {
        await successor.addInstance(ns, "kept", { url: agent.url });
        await eventually(
          () => assert.ok(agent.calls.some((c) => c.body.toString().includes(marker))),
          20_000,
        );
      } finally {
        await successor.close();
        await agent.stop();
      }
    },
  );
});
