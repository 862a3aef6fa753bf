// Steal time: the share of time this VM's CPUs were ready to run while the host ran something else
// (/proc/stat). On a shared VM it moves every figure a benchmark prints, so the benchmarks print it beside them.
import { readFileSync } from "node:fs";

export interface CpuTimes {
  steal: number;
  total: number;
}

export function cpuTimes(): CpuTimes | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Percent of CPU time stolen by the host since `start`, or undefined where /proc/stat is not available. */
export function stealPercentSince(start: CpuTimes | undefined): number | undefined {
  const end = cpuTimes();
  if (!start || !end || end.total === start.total) return undefined;
  return (100 * (end.steal - start.steal)) / (end.total - start.total);
}

export const formatSteal = (percent: number | undefined): string =>
  percent === undefined ? "steal n/a" : `steal ${percent.toFixed(0)}%`;
