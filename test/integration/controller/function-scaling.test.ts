// Scaling a Function with the real runtime agent as local processes and a real Redis: from zero on a demand
// signal, back to zero after idleSeconds, crash replacement, and rolling instances on a code change.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { demand, fn, invokeAgent, registry, report, startHarness, stopTestRedis, until } from "./support.js";

after(stopTestRedis);

describe("function scaling (local processes, real Redis)", () => {
  it("scales from zero on demand, serves, and scales back to zero after idleSeconds", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "hello", { scaling: { minInstances: 0, maxInstances: 3, idleSeconds: 2 } }),
      );
      await h.controller.idle();
      assert.deepEqual(await registry(h.redis, h.namespace, "hello"), [], "a new function starts at zero");
      const status = await until("Ready status", () => h.controller.status("Function", h.namespace, "hello"));
      const ready = (status.conditions ?? []).find((c) => c.type === "Ready");
      assert.equal(ready?.status, "True", "a function scaled to zero is still Ready");

      await demand(h.redis, h.namespace, "hello", 1);
      const [record] = await until("an instance in the registry", async () => {
        const records = await registry(h.redis, h.namespace, "hello");
        return records.length > 0 ? records : undefined;
      });
      assert.ok(record);
      const reply = await invokeAgent(record.url, { hi: 1 });
      assert.equal(reply.status, 200, reply.body);
      assert.deepEqual(JSON.parse(reply.body).event, { hi: 1 });
      assert.equal(record.codeSha256, h.controller.status("Function", h.namespace, "hello")?.codeSha256);

      await until(
        "scale to zero after idleSeconds",
        async () =>
          (await registry(h.redis, h.namespace, "hello")).length === 0 &&
          h.backend.list().filter((i) => i.owner?.name === "hello").length === 0,
      );
      const after = h.controller.status("Function", h.namespace, "hello");
      assert.equal((after?.conditions ?? []).find((c) => c.type === "Ready")?.status, "True");
      assert.equal((after?.conditions ?? []).find((c) => c.type === "Active")?.reason, "ScaledToZero");
    } finally {
      await h.close();
    }
  });

  it("follows in-flight reports up to maxInstances and keeps minInstances warm", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "busy", { scaling: { minInstances: 1, maxInstances: 2, idleSeconds: 60 } }),
      );
      await until(
        "minInstances warm",
        async () => (await registry(h.redis, h.namespace, "busy")).length === 1,
      );
      // 6 in flight at 1 per instance wants 6 instances; maxInstances caps at 2.
      const keepReporting = setInterval(
        () => void report(h.redis, h.namespace, "busy", { average: 6, max: 6, requests: 6 }),
        100,
      );
      try {
        await until("two instances", async () => (await registry(h.redis, h.namespace, "busy")).length === 2);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal((await registry(h.redis, h.namespace, "busy")).length, 2, "never above maxInstances");
      } finally {
        clearInterval(keepReporting);
      }
    } finally {
      await h.close();
    }
  });

  it("replaces a crashed instance", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "crashy", { scaling: { minInstances: 1, maxInstances: 1, idleSeconds: 60 } }),
      );
      const [first] = await until("one instance", async () => {
        const records = await registry(h.redis, h.namespace, "crashy");
        return records.length === 1 ? records : undefined;
      });
      const victim = h.backend.list().find((i) => i.id === first!.id);
      assert.ok(victim?.url);
      assert.ok(victim.pid);
      process.kill(victim.pid, "SIGKILL");
      const [replacement] = await until("a replacement instance", async () => {
        const records = await registry(h.redis, h.namespace, "crashy");
        return records.length === 1 && records[0]!.id !== first!.id ? records : undefined;
      });
      const reply = await invokeAgent(replacement!.url, { again: true });
      assert.equal(reply.status, 200, reply.body);
    } finally {
      await h.close();
    }
  });

  it("rolls instances when the code changes: new ones ready before old ones stop", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "roll", {
          scaling: { minInstances: 1, maxInstances: 1, idleSeconds: 60 },
          env: { V: "one" },
        }),
      );
      const [oldRecord] = await until("v1 instance", async () => {
        const records = await registry(h.redis, h.namespace, "roll");
        return records.length === 1 ? records : undefined;
      });
      const seen = new Set<number>();
      const watcher = setInterval(
        async () => seen.add((await registry(h.redis, h.namespace, "roll")).length),
        20,
      );
      const v2 = fn(
        h.namespace,
        "roll",
        {
          scaling: { minInstances: 1, maxInstances: 1, idleSeconds: 60 },
          env: { V: "two" },
          code: {
            inline: { "index.js": "exports.handler = async () => ({ v: 'two-code', env: process.env.V });" },
          },
        },
        2,
      );
      h.store.upsert(v2);
      const [newRecord] = await until("v2 instance only", async () => {
        const records = await registry(h.redis, h.namespace, "roll");
        return records.length === 1 && records[0]!.id !== oldRecord!.id ? records : undefined;
      });
      clearInterval(watcher);
      assert.ok(!seen.has(0), "the registry was never empty during the roll");
      assert.notEqual(newRecord!.codeSha256, oldRecord!.codeSha256);
      const reply = JSON.parse((await invokeAgent(newRecord!.url, {})).body);
      assert.deepEqual(reply, { v: "two-code", env: "two" });
      await until("old instance stopped", () => !h.backend.get(oldRecord!.id));
      const status = h.controller.status("Function", h.namespace, "roll");
      assert.equal(status?.observedGeneration, 2);
      assert.equal(status?.codeSha256, newRecord!.codeSha256);
    } finally {
      await h.close();
    }
  });

  it("removes instances and the registry when the Function is deleted", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "gone", { scaling: { minInstances: 1, maxInstances: 1, idleSeconds: 60 } }),
      );
      await until("one instance", async () => (await registry(h.redis, h.namespace, "gone")).length === 1);
      h.store.delete("Function", h.namespace, "gone");
      await until(
        "registry emptied",
        async () => (await registry(h.redis, h.namespace, "gone")).length === 0,
      );
      await until(
        "instance stopped",
        () => h.backend.list().filter((i) => i.owner?.name === "gone").length === 0,
      );
    } finally {
      await h.close();
    }
  });
});
