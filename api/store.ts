// A read view of the cluster's resources that the controller and gateways act on. In Kubernetes it is
// fed by watches (informers); in local mode by the manifest folder. Consumers never care which.
import { EventEmitter } from "node:events";

export interface ResourceMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface StoredResource {
  apiVersion: string;
  kind: string;
  metadata: ResourceMeta;
  spec?: unknown;
  status?: unknown;
  data?: Record<string, string>; // ConfigMap / Secret (Secret data is base64, as in Kubernetes)
  stringData?: Record<string, string>;
}

export type ResourceEvent = { type: "upsert" | "delete"; resource: StoredResource };

export interface ResourceStore {
  list<T extends StoredResource = StoredResource>(kind: string, namespace?: string): T[];
  get<T extends StoredResource = StoredResource>(
    kind: string,
    namespace: string,
    name: string,
  ): T | undefined;
  /** called after every change, with the resource as it now is (or was, for a delete) */
  onChange(listener: (event: ResourceEvent) => void): () => void;
}

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** An in-memory store: local mode feeds it from files, tests feed it directly. */
export class MemoryResourceStore implements ResourceStore {
  private readonly items = new Map<string, StoredResource>();
  private readonly events = new EventEmitter();

  upsert(resource: StoredResource): void {
    const { kind, metadata } = resource;
    this.items.set(keyOf(kind, metadata.namespace, metadata.name), resource);
    this.events.emit("change", { type: "upsert", resource } satisfies ResourceEvent);
  }

  delete(kind: string, namespace: string, name: string): void {
    const key = keyOf(kind, namespace, name);
    const resource = this.items.get(key);
    if (!resource) return;
    this.items.delete(key);
    this.events.emit("change", { type: "delete", resource } satisfies ResourceEvent);
  }

  list<T extends StoredResource = StoredResource>(kind: string, namespace?: string): T[] {
    return [...this.items.values()].filter(
      (r) => r.kind === kind && (namespace === undefined || r.metadata.namespace === namespace),
    ) as T[];
  }

  get<T extends StoredResource = StoredResource>(
    kind: string,
    namespace: string,
    name: string,
  ): T | undefined {
    return this.items.get(keyOf(kind, namespace, name)) as T | undefined;
  }

  onChange(listener: (event: ResourceEvent) => void): () => void {
    this.events.on("change", listener);
    return () => this.events.off("change", listener);
  }
}
