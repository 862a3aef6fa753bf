// Warm pools with the real agent: a cold start takes a generic warm instance and specializes it, the pool
// backfills, and RuntimePool resources override the default pool size.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { demand, fn, invokeAgent, registry, startHarness, stopTestRedis, until } from "./support.js";

after(stopTestRedis);

describe("warm pools (local processes, real Redis)", () => {
  it("specializes a warm instance on demand and backfills the pool", async () => {
    const h = await startHarness({ warmPools: [{ runtime: "nodejs20", size: 1 }] });
    try {
      const generic = () => h.backend.list().filter((i) => !i.owner && i.phase === "started");
      const [warm] = await until("one warm generic instance", () =>
        generic().length === 1 ? generic() : undefined,
      );
      h.store.upsert(
        fn(h.namespace, "pooled", { scaling: { minInstances: 0, maxInstances: 2, idleSeconds: 60 } }),
      );
      await h.controller.idle();
      await demand(h.redis, h.namespace, "pooled");
      const [record] = await until("an instance in the registry", async () => {
        const records = await registry(h.redis, h.namespace, "pooled");
        return records.length > 0 ? records : undefined;
      });
      assert.equal(record!.id, warm!.id, "the warm instance was handed to the function");
      const reply = await invokeAgent(record!.url, { x: 1 });
      assert.equal(reply.status, 200, reply.body);
      await until("pool backfilled with a new generic instance", () =>
        generic().length === 1 && generic()[0]!.id !== warm!.id ? true : undefined,
      );
    } finally {
      await h.close();
    }
  });

  it("sizes pools from RuntimePool resources, over the defaults", async () => {
    const h = await startHarness({ warmPools: [{ runtime: "nodejs20", size: 1 }] });
    try {
      const generic = () => h.backend.list().filter((i) => !i.owner);
      await until("default pool of one", () => generic().length === 1);
      h.store.upsert({
        apiVersion: "kappa.dev/v1alpha1",
        kind: "RuntimePool",
        metadata: { namespace: h.namespace, name: "node", generation: 1 },
        spec: { runtime: "nodejs20", size: 2, memoryMiB: 256 },
      });
      await until("pool of two", () => generic().filter((i) => i.phase === "started").length === 2);
      const status = await until("RuntimePool status", () =>
        h.controller.status("RuntimePool", h.namespace, "node"),
      );
      await until(
        "status says 2 ready",
        () => h.controller.status("RuntimePool", h.namespace, "node")?.ready === 2,
      );
      assert.ok(status.conditions);
      h.store.delete("RuntimePool", h.namespace, "node");
      await until("back to the default pool of one", () => generic().length === 1);
    } finally {
      await h.close();
    }
  });
});
