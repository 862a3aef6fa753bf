// The pure core of a function's reconcile: given the instances that exist and how many should, which to start and
// which to stop. Rolling updates start the new revision first and stop the old one only once enough new instances
// are ready, so a code change never leaves the function with nothing serving.
export interface PlannedInstance {
  id: string;
  revision?: string;
  phase: "starting" | "started" | "ready" | "exited";
  readySince?: number;
}

export interface PlanInput {
  desired: number;
  revision: string;
  /** the function's instances as the backend lists them */
  instances: PlannedInstance[];
  /** launches of the current revision in progress (starting, taken from a pool, specializing) */
  launching: number;
  /** ids of instances a launch in progress owns; they are neither counted as stray nor stopped */
  launchingIds: ReadonlySet<string>;
}

export interface Plan {
  start: number;
  stop: string[];
  /** ready instances that keep serving (registry content) */
  serving: PlannedInstance[];
}

export function planInstances(input: PlanInput): Plan {
  const { desired, revision, instances, launching, launchingIds } = input;
  const ready = instances.filter((i) => i.phase === "ready");
  const current = ready.filter((i) => i.revision === revision);
  const old = ready.filter((i) => i.revision !== revision);
  // Not ready and not being launched by us: a leftover of a failed launch or of a previous controller.
  const stray = instances.filter(
    (i) => i.phase !== "ready" && i.phase !== "exited" && !launchingIds.has(i.id),
  );

  const stop: string[] = stray.map((i) => i.id);
  const have = current.length + launching;
  const start = Math.max(0, desired - have);
  // Surplus: stop the most recently ready first; the oldest have warm caches and JIT.
  const surplus = Math.min(Math.max(0, have - desired), current.length);
  const byNewest = [...current].sort((a, b) => (b.readySince ?? 0) - (a.readySince ?? 0));
  const stoppedCurrent = new Set(byNewest.slice(0, surplus).map((i) => i.id));
  const keptCurrent = current.length - stoppedCurrent.size;
  // Old revisions serve until the new one covers the demand (or there is no demand).
  const retireOld = desired === 0 || keptCurrent >= desired;
  stop.push(...stoppedCurrent);
  if (retireOld) stop.push(...old.map((i) => i.id));
  const stopped = new Set(stop);
  return { start, stop, serving: ready.filter((i) => !stopped.has(i.id)) };
}
