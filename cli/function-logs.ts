// Where a function's log lines land in local mode: one file per function, written by the local-process
// instance backend (one JSON object per line, from every instance of the function).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";

export const functionLogPath = (logsDir: string, namespace: string, name: string): string =>
  join(logsDir, namespace, `${name}.log`);

/** Reading more than this to find the last lines of a file would mean lines are absurdly long. */
const TAIL_WINDOW_BYTES = 256 * 1024;

export function readLastLines(path: string, count: number): string[] {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return [];
  }
  const start = Math.max(0, size - TAIL_WINDOW_BYTES);
  const text = readRange(path, start, size);
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (start > 0) lines.shift(); // the first line is cut in the middle
  return lines.slice(-count);
}

export function readRange(path: string, start: number, end: number): string {
  if (end <= start) return "";
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(end - start);
    const read = readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
