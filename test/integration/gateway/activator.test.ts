// The activator: a function at zero instances holds requests, asks the controller for capacity on
// kappa:demand, and forwards every held request once an instance is announced. The test plays the
// controller: it starts a REAL runtime agent process (runtime/main.ts), specializes it, writes its
// InstanceRecord into Redis and publishes on kappa:instances.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { RedisKeys, type DemandSignal, type InflightReport } from "../../../api/instances.js";
import { AgentProcess } from "../runtime/agent-process.js";
import {
  ScriptedAgent,
  call,
  echoResult,
  eventually,
  functionResource,
  startTestGateway,
  stopTestRedis,
  testRedis,
  uniquePrefix,
  type TestGateway,
} from "./support.js";

const HANDLER = `exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 20));
  return { statusCode: 200, body: JSON.stringify({ n: JSON.parse(event.body).n, requestId: event.requestContext.requestId }) };
};`;

describe("activator", () => {
  let gw: TestGateway;
  let subscriber: Redis;
  const demands: DemandSignal[] = [];
  const ns = uniquePrefix("act");

  before(async () => {
    gw = await startTestGateway({ limits: { activatorMaxWaitMs: 120_000 } });
    subscriber = new Redis((await testRedis()).url);
    subscriber.on("message", (_channel, message) => demands.push(JSON.parse(message) as DemandSignal));
    await subscriber.subscribe(RedisKeys.demandChannel);
  });
  after(async () => {
    subscriber.disconnect();
    await gw.close();
    await stopTestRedis();
  });

  test(
    "100 concurrent requests to a function at zero all succeed once a real agent is up",
    { timeout: 180_000 },
    async () => {
      gw.store.upsert(functionResource(ns, "cold", { concurrency: { perInstance: 10 }, timeoutSeconds: 30 }));
      const responses = Promise.all(
        Array.from({ length: 100 }, (_, n) =>
          call(`${gw.url}/function/${ns}/cold`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ n }),
          }),
        ),
      );

      // The gateway tells the controller, with the number of requests it holds.
      await eventually(() => {
        const mine = demands.filter((d) => d.namespace === ns && d.name === "cold");
        assert.ok(mine.length > 0, "no demand signal");
        assert.ok(mine.some((d) => d.waiting > 0));
      }, 10_000);
      // And its in-flight report says how many wait.
      await eventually(async () => {
        const raw = await gw.redis.hgetall(RedisKeys.inflight(ns, "cold"));
        const reports = Object.values(raw).map((r) => JSON.parse(r) as InflightReport);
        assert.ok(
          reports.some((r) => r.waiting === 100),
          `reports: ${JSON.stringify(reports)}`,
        );
      }, 10_000);

      const agent = await AgentProcess.start();
      try {
        const specialized = await agent.specialize({
          namespace: ns,
          name: "cold",
          runtime: "nodejs20",
          handler: "index.handler",
          code: { files: { "index.js": Buffer.from(HANDLER).toString("base64") } },
          perInstance: 10,
          timeoutSeconds: 30,
        });
        assert.equal(specialized.status, 200, JSON.stringify(specialized.json));
        await gw.addInstance(ns, "cold", { url: agent.url, perInstance: 10 });

        const results = await responses;
        assert.deepEqual(
          results.map((r) => r.status),
          Array(100).fill(200),
        );
        const ns_ = results.map((r) => (r.json() as { n: number }).n).sort((a, b) => a - b);
        assert.deepEqual(
          ns_,
          Array.from({ length: 100 }, (_, i) => i),
        );
      } finally {
        await agent.stop();
      }
    },
  );

  test("beyond the wait bound a held request gets 503 with Retry-After", async () => {
    const quick = await startTestGateway({ limits: { activatorMaxWaitMs: 300 } });
    try {
      quick.store.upsert(functionResource(ns, "never"));
      const res = await call(`${quick.url}/function/${ns}/never`);
      assert.equal(res.status, 503);
      assert.equal(res.headers["retry-after"], "1");
      assert.deepEqual(res.json(), { message: "Service Unavailable" });
    } finally {
      await quick.close();
    }
  });

  test("beyond the queue bound new requests get 503 at once", async () => {
    const small = await startTestGateway({
      limits: { activatorMaxWaitingPerFunction: 2, activatorMaxWaitMs: 2_000 },
    });
    try {
      small.store.upsert(functionResource(ns, "full"));
      const held = [call(`${small.url}/function/${ns}/full`), call(`${small.url}/function/${ns}/full`)];
      await new Promise((r) => setTimeout(r, 200));
      const third = await call(`${small.url}/function/${ns}/full`);
      assert.equal(third.status, 503);
      // The two held ones are forwarded when an instance appears.
      const agent = await ScriptedAgent.start(echoResult);
      await small.addInstance(ns, "full", { url: agent.url, perInstance: 2 });
      assert.deepEqual(
        (await Promise.all(held)).map((r) => r.status),
        [200, 200],
      );
      await agent.stop();
    } finally {
      await small.close();
    }
  });

  test("a busy instance (429 InstanceBusy) sends the request to another instance", async () => {
    const busy = await ScriptedAgent.start((_call, res) => {
      res.writeHead(429, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "InstanceBusy" }));
    });
    const free = await ScriptedAgent.start(echoResult);
    gw.store.upsert(functionResource(ns, "two"));
    await gw.addInstance(ns, "two", { url: busy.url, perInstance: 5 });
    await gw.addInstance(ns, "two", { url: free.url, perInstance: 1 });
    const results = await Promise.all(Array.from({ length: 6 }, () => call(`${gw.url}/function/${ns}/two`)));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(6).fill(200),
    );
    assert.equal(free.calls.length, 6);
    assert.ok(free.maxInflight <= 1, "the free instance never got more than its perInstance");
    await busy.stop();
    await free.stop();
  });
});
