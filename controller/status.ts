// Status is typed conditions (STYLE.md §6): named types and reasons, small mark helpers, observedGeneration.
// Where status goes is behind StatusWriter: local mode keeps it in memory (and mirrors it into the in-memory store
// so the gateway and the CLI read it like a Kubernetes status); the operator will write the status subresource.
import { MemoryResourceStore, type ResourceStore, type StoredResource } from "../api/store.js";
import type { Condition } from "../api/index.js";

export const ConditionTypes = {
  ready: "Ready",
  /** the code could be resolved and loaded */
  codeReady: "CodeReady",
  /** at least one instance serves; False with reason ScaledToZero is normal and keeps Ready True */
  active: "Active",
  /** the handler's init ran without throwing on the serving instances (False: invokes return the init error) */
  initialized: "Initialized",
} as const;

export const Reasons = {
  ready: "Ready",
  scaledToZero: "ScaledToZero",
  activating: "Activating",
  serving: "Serving",
  codeResolved: "CodeResolved",
  instanceFailed: "InstanceFailed",
  rollingOut: "RollingOut",
  initError: "InitError",
  initSucceeded: "InitSucceeded",
} as const;

export type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };

/** Sets a condition, keeping lastTransitionTime when the status did not change. Pure. */
export function markCondition(
  conditions: Condition[] | undefined,
  next: Omit<Condition, "lastTransitionTime">,
  now: number,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    previous && previous.status === next.status && previous.lastTransitionTime
      ? previous.lastTransitionTime
      : new Date(now).toISOString();
  const condition: Condition = { ...next, lastTransitionTime };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list.sort((a, b) => a.type.localeCompare(b.type));
}

export interface StatusWriter {
  /** Writes the status of kind/namespace/name if it differs from the last one written; returns true if written. */
  write(kind: string, namespace: string, name: string, status: Status): Promise<boolean>;
  remove(kind: string, namespace: string, name: string): Promise<void>;
  read(kind: string, namespace: string, name: string): Status | undefined;
}

/** Local mode's status writer: in memory; mirrors into a MemoryResourceStore so readers see `resource.status`. */
export class MemoryStatusWriter implements StatusWriter {
  private readonly statuses = new Map<string, Status>();

  constructor(private readonly store?: ResourceStore) {}

  async write(kind: string, namespace: string, name: string, status: Status): Promise<boolean> {
    const key = `${kind}/${namespace}/${name}`;
    const previous = this.statuses.get(key);
    const changed = !previous || JSON.stringify(previous) !== JSON.stringify(status);
    this.statuses.set(key, status);
    // Mirrored even when unchanged here: a reloaded manifest replaces the stored resource without its status.
    const mirrored = this.mirror(kind, namespace, name, status);
    return changed || mirrored;
  }

  async remove(kind: string, namespace: string, name: string): Promise<void> {
    this.statuses.delete(`${kind}/${namespace}/${name}`);
  }

  read(kind: string, namespace: string, name: string): Status | undefined {
    return this.statuses.get(`${kind}/${namespace}/${name}`);
  }

  private mirror(kind: string, namespace: string, name: string, status: Status): boolean {
    if (!(this.store instanceof MemoryResourceStore)) return false;
    const resource = this.store.get<StoredResource>(kind, namespace, name);
    if (!resource) return false;
    if (JSON.stringify(resource.status) === JSON.stringify(status)) return false;
    this.store.upsert({ ...resource, status });
    return true;
  }
}
