// The state file of a running `kappa dev` (<home>/dev/state.json): how the other commands find the local
// platform. Written once everything listens, removed on shutdown. Mode 0600: it holds the secret access key.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "../errors.js";

export interface DevState {
  pid: number;
  /** the manifest folder being served (absolute) */
  dir: string;
  /** the function HTTP port, e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  /** the AWS-compatible API port (Lambda Invoke, SQS) */
  apiUrl: string;
  /** the local admin endpoint the CLI uses for list / describe / logs */
  /** Prometheus text of the local platform (gateway, controller, queue engine) */
  metricsUrl?: string;
  adminUrl: string;
  adminToken: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  redisUrl: string;
  logsDir: string;
  startedAt: string;
}

export const stateFilePath = (devHome: string): string => join(devHome, "state.json");

export function writeState(devHome: string, state: DevState): void {
  const path = stateFilePath(devHome);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

export function removeState(devHome: string, pid: number): void {
  const current = readStateIfAny(devHome);
  // Only the process that wrote it removes it: a second `kappa dev` must not erase the first one's file.
  if (current && current.pid === pid) rmSync(stateFilePath(devHome), { force: true });
}

export function readStateIfAny(devHome: string): DevState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFilePath(devHome), "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DevState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running local platform, or a clear error telling the user how to start one. */
export function requireRunningDev(devHome: string): DevState {
  const state = readStateIfAny(devHome);
  if (!state || !isAlive(state.pid)) {
    throw new CliError(
      "no local Kappa is running (no live state file at " +
        stateFilePath(devHome) +
        "). Start one with `kappa dev --dir <folder>` (or `npm start`) in another terminal. " +
        "The cluster half comes with the operator; set --local or run kappa dev.",
    );
  }
  return state;
}
