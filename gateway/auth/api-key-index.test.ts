import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryResourceStore, type StoredResource } from "../../api/index.js";
import { silentLogger } from "../ratelimit/index.js";
import { ApiKeyIndex, sha256 } from "./api-key-index.js";

const KEY = "abcdefghij0123456789xyz";

const apiKey = (name: string, spec: object): StoredResource => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "ApiKey",
  metadata: { name, namespace: "ns" },
  spec,
});
const secret = (name: string, value: string, field: "data" | "stringData" = "data"): StoredResource => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "ns" },
  [field]: { apiKey: field === "data" ? Buffer.from(value).toString("base64") : value },
});

test("keys are found by their sha256, from base64 data or stringData, and only the hash is kept", () => {
  const store = new MemoryResourceStore();
  store.upsert(secret("s1", KEY));
  store.upsert(apiKey("k1", { secretRef: { name: "s1", key: "apiKey" }, usagePlan: "gold" }));
  const index = new ApiKeyIndex(store, silentLogger);
  const found = index.lookup(KEY);
  assert.equal(found?.id, "ns/k1");
  assert.equal(found?.enabled, true, "enabled defaults to true");
  assert.equal(found?.usagePlan, "gold");
  assert.deepEqual(found?.sha256, sha256(KEY));
  assert.equal(JSON.stringify(found).includes(KEY), false);
  assert.equal(index.lookup(KEY + "x"), undefined);

  store.upsert(secret("s1", "plain-" + KEY, "stringData"));
  assert.equal(index.lookup("plain-" + KEY)?.id, "ns/k1", "reloaded after the Secret changed");
  assert.equal(index.lookup(KEY), undefined);
  index.close();
});

test("unusable keys are left out: no Secret, no data key, too short, duplicates", () => {
  const store = new MemoryResourceStore();
  store.upsert(apiKey("no-secret", { secretRef: { name: "missing", key: "apiKey" } }));
  store.upsert(secret("short", "tooShort"));
  store.upsert(apiKey("short", { secretRef: { name: "short", key: "apiKey" } }));
  store.upsert(secret("wrong-key", KEY));
  store.upsert(apiKey("wrong-key", { secretRef: { name: "wrong-key", key: "other" } }));
  store.upsert(secret("dup", "dup-" + KEY));
  store.upsert(apiKey("dup-a", { secretRef: { name: "dup", key: "apiKey" } }));
  store.upsert(apiKey("dup-b", { secretRef: { name: "dup", key: "apiKey" } }));
  const warnings: string[] = [];
  const log = (_: object, message?: string) => warnings.push(message ?? "");
  const index = new ApiKeyIndex(store, { ...silentLogger, warn: log, error: log });
  assert.equal(index.lookup("tooShort"), undefined);
  assert.equal(index.lookup(KEY), undefined);
  assert.equal(index.lookup("dup-" + KEY), undefined);
  assert.equal(warnings.length, 4, warnings.join("\n"));
  assert.ok(warnings.some((w) => /shorter than 20 characters/.test(w)));
  assert.ok(warnings.some((w) => /same key value/.test(w)));
  index.close();
});

test("a disabled key is still found (the stage refuses it), and close() stops watching", () => {
  const store = new MemoryResourceStore();
  store.upsert(secret("s1", KEY));
  store.upsert(apiKey("k1", { secretRef: { name: "s1" }, enabled: false }));
  const index = new ApiKeyIndex(store, silentLogger);
  assert.equal(index.lookup(KEY)?.enabled, false, "secretRef.key defaults to apiKey");
  index.close();
  store.upsert(apiKey("k1", { secretRef: { name: "s1" }, enabled: true }));
  assert.equal(index.lookup(KEY)?.enabled, false, "no reload after close");
});

test("a connection's found key is remembered: the same key again is the same entry, any other text is looked up", () => {
  const store = new MemoryResourceStore();
  store.upsert(secret("s1", KEY));
  store.upsert(apiKey("k1", { secretRef: { name: "s1", key: "apiKey" } }));
  const index = new ApiKeyIndex(store, silentLogger);
  const connection = {};
  const found = index.lookup(KEY, connection);
  assert.equal(found?.id, "ns/k1");
  assert.equal(index.lookup(`${KEY}`, connection), found);
  // longer, shorter, one character changed, empty: none is the remembered key
  const sameLength = KEY.slice(0, -1) + (KEY.endsWith("z") ? "y" : "z");
  for (const other of [KEY + "x", KEY.slice(0, -1), sameLength, ""]) {
    assert.equal(index.lookup(other, connection), undefined, other);
  }
  assert.equal(index.lookup(KEY, connection), found, "a refused key does not replace the remembered one");
  assert.equal(index.lookup(KEY, {})?.id, "ns/k1", "another connection finds it too");

  store.upsert(apiKey("k1", { secretRef: { name: "s1", key: "apiKey" }, enabled: false }));
  assert.equal(index.lookup(KEY, connection)?.enabled, false, "after a change the memo is not used");
  store.upsert(secret("s1", "rotated-" + KEY));
  assert.equal(index.lookup(KEY, connection), undefined, "a rotated key is refused on the same connection");
  assert.equal(index.lookup("rotated-" + KEY, connection)?.id, "ns/k1");
  index.close();
});
