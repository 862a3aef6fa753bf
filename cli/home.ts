// Where the CLI keeps its state: ~/.kappa by default, or --home / KAPPA_HOME (so several local platforms,
// e.g. parallel test runs, never share one state file).
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function kappaHome(explicit?: string): string {
  const chosen = explicit ?? process.env.KAPPA_HOME;
  return chosen ? resolve(chosen) : join(homedir(), ".kappa");
}

/** The folder of the local platform (`kappa dev`): its state file, redis data and function logs. */
export const devHome = (home: string): string => join(home, "dev");
