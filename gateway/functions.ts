// What the data plane needs to know about a Function, read from the store with the schema's defaults applied,
// so a store fed without defaulting (local mode, tests) behaves like one fed by the API server.
import type { ResourceStore } from "../api/store.js";
import type { KappaFunction } from "../api/index.js";
import { functionKey } from "../api/instances.js";

/** Lambda's payload limits: 6 MB for a synchronous request or response, 1 MB for an Event invocation. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/**
 * An Event payload travels as one queue message, whose 1 MiB cap also counts its attributes (request id, first
 * enqueue time, attempts): 1 KiB of the MiB is kept for them.
 */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024 - 1024;

const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 21600;

export interface FunctionSettings {
  namespace: string;
  name: string;
  /** "namespace/name" (api/instances.ts functionKey), computed once rather than per request */
  key: string;
  timeoutMs: number;
  perInstance: number;
  reserved?: number;
  codeSha256?: string;
  async: {
    maxRetries: number;
    maxEventAgeSeconds: number;
    onFailure?: string;
    onSuccess?: string;
  };
}

export function functionSettings(fn: KappaFunction): FunctionSettings {
  const spec = (fn.spec ?? {}) as Partial<KappaFunction["spec"]>;
  const asyncSpec = spec.async;
  return {
    namespace: fn.metadata.namespace,
    name: fn.metadata.name,
    key: functionKey(fn.metadata.namespace, fn.metadata.name),
    timeoutMs: (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    perInstance: spec.concurrency?.perInstance ?? 1,
    reserved: spec.concurrency?.reserved,
    codeSha256: fn.status?.codeSha256,
    async: {
      maxRetries: asyncSpec?.maxRetries ?? DEFAULT_MAX_RETRIES,
      maxEventAgeSeconds: asyncSpec?.maxEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS,
      onFailure: asyncSpec?.onFailure?.queue,
      onSuccess: asyncSpec?.onSuccess?.queue,
    },
  };
}

/** A cached view of Function settings, rebuilt when the store changes (no per-request spec parsing). */
export class FunctionCatalog {
  // Only functions that exist are cached: caching misses would let callers grow the map with made-up names.
  private readonly cache = new Map<string, FunctionSettings>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: ResourceStore) {
    this.unsubscribe = store.onChange((event) => {
      if (event.resource.kind !== "Function") return;
      const { namespace, name } = event.resource.metadata;
      this.cache.delete(`${namespace}/${name}`);
    });
  }

  get(namespace: string, name: string): FunctionSettings | undefined {
    const key = `${namespace}/${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const fn = this.store.get<KappaFunction>("Function", namespace, name);
    if (!fn) return undefined;
    const settings = functionSettings(fn);
    this.cache.set(key, settings);
    return settings;
  }

  list(): FunctionSettings[] {
    return this.store.list<KappaFunction>("Function").map(functionSettings);
  }

  close(): void {
    this.unsubscribe();
  }
}
