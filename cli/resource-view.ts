// Small readers of a resource's status shared by list and describe.
import type { StoredResource } from "../api/store.js";

interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function conditionsOf(resource: StoredResource): ConditionView[] {
  const status = resource.status as { conditions?: ConditionView[] } | undefined;
  return Array.isArray(status?.conditions) ? status.conditions : [];
}

/** "True", "False" or "Unknown" (no status yet: the controller has not reported on it). */
export function readyOf(resource: StoredResource): string {
  if (resource.kind === "Secret" || resource.kind === "ConfigMap") return "-";
  return conditionsOf(resource).find((c) => c.type === "Ready")?.status ?? "Unknown";
}
