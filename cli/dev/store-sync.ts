// Makes a MemoryResourceStore hold exactly what the manifest folder says: upserts what is new or changed,
// deletes what disappeared, leaves the rest untouched (so an unrelated edit redeploys nothing). Level-triggered:
// it compares the whole desired set with the store every time, whatever the file event was.
import { randomUUID } from "node:crypto";
import type { MemoryResourceStore, StoredResource } from "../../api/store.js";
import type { LoadedResource } from "./manifest-loader.js";

export interface SyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

const keyOf = (r: StoredResource) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;

/** What makes a resource "changed": everything the user wrote (status is ours, not theirs). */
const fingerprint = (r: StoredResource) =>
  JSON.stringify([
    r.apiVersion,
    r.spec ?? null,
    r.data ?? null,
    r.metadata.labels ?? null,
    r.metadata.annotations ?? null,
  ]);

export class StoreSync {
  private readonly current = new Map<string, { resource: StoredResource; fingerprint: string }>();

  constructor(private readonly store: MemoryResourceStore) {}

  apply(loaded: LoadedResource[]): SyncResult {
    const result: SyncResult = { created: [], updated: [], deleted: [] };
    const wanted = new Map(loaded.map((l) => [keyOf(l.resource), l.resource]));
    for (const [key, resource] of wanted) {
      const print = fingerprint(resource);
      const existing = this.current.get(key);
      if (existing && existing.fingerprint === print) continue;
      const generation = (existing?.resource.metadata.generation ?? 0) + 1;
      const stored: StoredResource = {
        ...resource,
        metadata: {
          ...resource.metadata,
          uid: existing?.resource.metadata.uid ?? randomUUID(),
          generation,
          resourceVersion: String(Date.now()) + "-" + generation,
        },
      };
      this.current.set(key, { resource: stored, fingerprint: print });
      this.store.upsert(stored);
      (existing ? result.updated : result.created).push(key);
    }
    for (const [key, { resource }] of [...this.current]) {
      if (wanted.has(key)) continue;
      this.current.delete(key);
      this.store.delete(resource.kind, resource.metadata.namespace, resource.metadata.name);
      result.deleted.push(key);
    }
    return result;
  }
}
