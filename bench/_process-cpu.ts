// CPU time a process tree has spent (/proc, Linux): what the gateway benchmarks divide by requests served.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** utime + stime of a process and all its descendants, in clock ticks (/proc, Linux). */
export function treeCpuTicks(pid: number): number {
  let ticks = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks = Number(fields[11]) + Number(fields[12]);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) ticks += treeCpuTicks(Number(child));
    }
  } catch {
    // the process (or a child) ended meanwhile
  }
  return ticks;
}
export const TICK_US =
  1_000_000 / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);
