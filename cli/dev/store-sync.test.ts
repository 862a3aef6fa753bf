import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryResourceStore, type ResourceEvent, type StoredResource } from "../../api/store.js";
import { StoreSync } from "./store-sync.js";

const fn = (name: string, memoryMiB = 128): { resource: StoredResource; file: string } => ({
  file: `${name}.yaml`,
  resource: {
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Function",
    metadata: { name, namespace: "default" },
    spec: { runtime: "nodejs20", memoryMiB },
  },
});

describe("StoreSync", () => {
  it("upserts new and changed resources only, bumps generation, keeps uid, deletes what disappeared", () => {
    const store = new MemoryResourceStore();
    const events: ResourceEvent[] = [];
    store.onChange((e) => events.push(e));
    const sync = new StoreSync(store);

    assert.deepEqual(sync.apply([fn("a"), fn("b")]), {
      created: ["Function/default/a", "Function/default/b"],
      updated: [],
      deleted: [],
    });
    const first = store.get("Function", "default", "a")!;
    assert.equal(first.metadata.generation, 1);

    assert.deepEqual(
      sync.apply([fn("a"), fn("b")]),
      { created: [], updated: [], deleted: [] },
      "an unchanged folder changes nothing",
    );
    assert.equal(events.length, 2);

    assert.deepEqual(sync.apply([fn("a", 256)]), {
      created: [],
      updated: ["Function/default/a"],
      deleted: ["Function/default/b"],
    });
    const second = store.get("Function", "default", "a")!;
    assert.equal(second.metadata.generation, 2);
    assert.equal(second.metadata.uid, first.metadata.uid);
    assert.equal(store.get("Function", "default", "b"), undefined);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.resource.metadata.name}`),
      ["upsert a", "upsert b", "upsert a", "delete b"],
    );
  });

  it("ignores status written by others when comparing (status is not the user's)", () => {
    const store = new MemoryResourceStore();
    const sync = new StoreSync(store);
    sync.apply([fn("a")]);
    store.upsert({ ...store.get("Function", "default", "a")!, status: { readyInstances: 1 } });
    assert.deepEqual(sync.apply([fn("a")]).updated, []);
  });
});
