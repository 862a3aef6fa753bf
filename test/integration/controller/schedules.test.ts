// Schedules fire asynchronous invokes through the real HttpInvoker (SigV4) against a small real Invoke API server.
// rate(1 minute) runs on a clock 60x faster than the wall clock (passed in, not an env var), so it fires every second.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { acceleratedClock } from "../../../controller/clock.js";
import { HttpInvoker } from "../../../controller/invoker/http-invoker.js";
import { startHarness, stopTestRedis, until } from "./support.js";
import { startInvokeApiServer, TEST_ACCESS_KEY, type InvokeApiServer } from "./invoke-api-server.js";

let api: InvokeApiServer;
before(async () => {
  api = await startInvokeApiServer();
});
after(async () => {
  await api.close();
  await stopTestRedis();
});

const FAST = 60;

async function harness() {
  const invoker = new HttpInvoker({
    endpoint: api.url,
    accessKeyId: TEST_ACCESS_KEY.id,
    secretAccessKey: TEST_ACCESS_KEY.secret,
  });
  // the autoscaler ticks on the same fast clock: 6 s of it is 100 ms of wall time
  return startHarness({ invoker, clock: acceleratedClock(FAST), autoscaler: { tickMs: 6_000 } });
}

const schedule = (namespace: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "Schedule",
  metadata: { namespace, name, generation: 1 },
  spec: { timezone: "UTC", enabled: true, ...spec },
});

describe("schedules (fast clock, SigV4 Invoke API)", () => {
  it("invokes the function asynchronously with the payload on every rate(1 minute) tick", async () => {
    const h = await harness();
    try {
      h.store.upsert(
        schedule(h.namespace, "tick", {
          expression: "rate(1 minute)",
          function: "ticker",
          payload: { hello: "world" },
        }),
      );
      const mine = () => api.received.filter((r) => r.namespace === h.namespace);
      await until("three firings", () => mine().length >= 3, 20_000);
      for (const invoke of mine()) {
        assert.equal(invoke.type, "Event");
        assert.equal(invoke.name, "ticker");
        assert.deepEqual(invoke.event, { hello: "world" });
      }
      const status = await until("status with lastResult", () => {
        const st = h.controller.status("Schedule", h.namespace, "tick");
        return st?.lastResult ? st : undefined;
      });
      assert.equal(status.lastResult, "Succeeded");
      assert.ok(Date.parse(String(status.nextScheduleTime)) > Date.parse(String(status.lastScheduleTime)));
      // deleting the schedule stops it
      h.store.delete("Schedule", h.namespace, "tick");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const count = mine().length;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(mine().length, count, "no firing after the Schedule was deleted");
    } finally {
      await h.close();
    }
  });

  it("sends EventBridge's Scheduled Event when there is no payload", async () => {
    const h = await harness();
    try {
      h.store.upsert(schedule(h.namespace, "plain", { expression: "cron(* * * * ? *)", function: "ticker" }));
      const invoke = await until(
        "a firing",
        () => api.received.find((r) => r.namespace === h.namespace),
        20_000,
      );
      const event = invoke.event as Record<string, unknown>;
      assert.equal(event["detail-type"], "Scheduled Event");
      assert.equal(event.source, "aws.events");
      assert.deepEqual(event.detail, {});
      assert.match(String(event.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/, "fires on the minute");
    } finally {
      await h.close();
    }
  });

  it("reports a bad expression in the status and does not fire", async () => {
    const h = await harness();
    try {
      h.store.upsert(
        schedule(h.namespace, "broken", { expression: "rate(5 fortnights)", function: "ticker" }),
      );
      const status = await until("InvalidExpression", () => {
        const st = h.controller.status("Schedule", h.namespace, "broken");
        return st?.conditions?.find((c) => c.reason === "InvalidExpression") ? st : undefined;
      });
      assert.match(String(status.conditions?.[0]?.message), /rate\(<n> minute/);
      assert.equal(api.received.filter((r) => r.namespace === h.namespace).length, 0);
    } finally {
      await h.close();
    }
  });
});
