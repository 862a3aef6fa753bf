// Where a Function's code comes from — a ConfigMap in the store, a local folder (code.path) — and what a change to
// it does: the instances roll to the new code. Real agent processes, real Redis.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fn, invokeAgent, registry, startHarness, stopTestRedis, until } from "./support.js";

after(stopTestRedis);

const warm = { scaling: { minInstances: 1, maxInstances: 1, idleSeconds: 60 } };
const condition = (
  status: { conditions?: { type: string; status: string; reason?: string }[] } | undefined,
  type: string,
) => status?.conditions?.find((c) => c.type === type);

describe("function code sources (local processes, real Redis)", () => {
  it("waits for a missing ConfigMap, then serves its code, and rolls when it changes", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(fn(h.namespace, "cm", { ...warm, code: { configMap: { name: "cm-code" } } }));
      const waiting = await until("CodeNotFound", () => {
        const st = h.controller.status("Function", h.namespace, "cm");
        return condition(st, "Ready")?.reason === "CodeNotFound" ? st : undefined;
      });
      assert.equal(condition(waiting, "Ready")?.status, "False");
      const configMap = (text: string) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { namespace: h.namespace, name: "cm-code" },
        data: { "index.js": `exports.handler = async () => ${JSON.stringify(text)};` },
      });
      h.store.upsert(configMap("from configmap v1"));
      const [first] = await until("an instance", async () => {
        const records = await registry(h.redis, h.namespace, "cm");
        return records.length === 1 ? records : undefined;
      });
      assert.equal(JSON.parse((await invokeAgent(first!.url, {})).body), "from configmap v1");
      assert.equal(condition(h.controller.status("Function", h.namespace, "cm"), "Ready")?.status, "True");
      h.store.upsert(configMap("from configmap v2"));
      const [second] = await until("the rolled instance", async () => {
        const records = await registry(h.redis, h.namespace, "cm");
        return records.length === 1 && records[0]!.id !== first!.id ? records : undefined;
      });
      assert.equal(JSON.parse((await invokeAgent(second!.url, {})).body), "from configmap v2");
      assert.notEqual(second!.codeSha256, first!.codeSha256);
    } finally {
      await h.close();
    }
  });

  it("runs a local code.path folder and rolls when a file in it changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kappa-code-"));
    const h = await startHarness();
    try {
      writeFileSync(join(dir, "index.js"), "exports.handler = async () => 'folder v1';");
      h.store.upsert(fn(h.namespace, "folder", { ...warm, code: { path: dir } }));
      const [first] = await until("an instance", async () => {
        const records = await registry(h.redis, h.namespace, "folder");
        return records.length === 1 ? records : undefined;
      });
      assert.equal(JSON.parse((await invokeAgent(first!.url, {})).body), "folder v1");
      writeFileSync(join(dir, "index.js"), "exports.handler = async () => 'folder v2';");
      // local mode re-applies the Function when its folder changes (a new generation)
      h.store.upsert(fn(h.namespace, "folder", { ...warm, code: { path: dir } }, 2));
      const [second] = await until("the rolled instance", async () => {
        const records = await registry(h.redis, h.namespace, "folder");
        return records.length === 1 && records[0]!.id !== first!.id ? records : undefined;
      });
      assert.equal(JSON.parse((await invokeAgent(second!.url, {})).body), "folder v2");
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses code it cannot run locally with a clear condition, and starts nothing", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "img", { ...warm, runtime: "provided", code: { image: "example/fn:1" } }),
      );
      const status = await until("UnsupportedCode", () => {
        const st = h.controller.status("Function", h.namespace, "img");
        return condition(st, "Ready")?.reason === "UnsupportedCode" ? st : undefined;
      });
      assert.match(String(status.conditions?.find((c) => c.type === "Ready")?.message), /code\.image/);
      await h.controller.idle();
      assert.equal(h.backend.list().filter((i) => i.owner?.name === "img").length, 0);
    } finally {
      await h.close();
    }
  });

  it("reports a handler whose init throws (the instance still serves, as in Lambda)", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(
        fn(h.namespace, "initfail", {
          ...warm,
          code: { inline: { "index.js": "throw new Error('init exploded');" } },
        }),
      );
      const status = await until("Initialized=False", () => {
        const st = h.controller.status("Function", h.namespace, "initfail");
        return condition(st, "Initialized")?.status === "False" ? st : undefined;
      });
      assert.equal(condition(status, "Initialized")?.reason, "InitError");
      assert.match(
        String(status.conditions?.find((c) => c.type === "Initialized")?.message),
        /init exploded/,
      );
    } finally {
      await h.close();
    }
  });

  it("marks the Function not Ready when the agent rejects it, with the agent's reason, and backs off", async () => {
    const h = await startHarness();
    try {
      h.store.upsert(fn(h.namespace, "rejected", { ...warm, handler: "no-export-separator" }));
      const status = await until(
        "InstanceFailed",
        () => {
          const st = h.controller.status("Function", h.namespace, "rejected");
          return condition(st, "Ready")?.reason === "InstanceFailed" ? st : undefined;
        },
        60_000,
      );
      assert.equal(condition(status, "Ready")?.status, "False");
      assert.match(String(status.conditions?.find((c) => c.type === "Ready")?.message), /handler must be/);
      assert.deepEqual(await registry(h.redis, h.namespace, "rejected"), []);
    } finally {
      await h.close();
    }
  });
});
