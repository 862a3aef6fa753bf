// The V8 flags of the gateway's processes. V8 reads them only when a process starts, so they reach a process on its
// command line: the cluster primary passes them to its workers, and a single gateway process must be started with
// them (main.ts warns when it was not). Each was measured on this project's 2-core build machines by A/B runs of
// the auth gateway's CPU per request (docs/gateway-performance.md "Tenth round" and "Thirteenth round").
//
// - The young generation, 4 MB semi-spaces (KAPPA_GATEWAY_SEMI_SPACE_MB). Each request allocates ~7-9 KB that dies
//   young; with V8's default semi-space (16 MB on 64-bit) that allocation walks far more memory than the cores'
//   caches hold (1-2 MB of L2 per core on these machines), evicting what the gateway and the kernel's network path use next: 4 MB spent
//   0.8 us less per request (~3%) than the default; 2 and 8 MB about as much as 4, 1 MB more.
// - KAPPA_GATEWAY_V8_FLAGS, by default:
//   `--single-threaded-gc`: the collector works on the process's own thread. V8 otherwise spreads each scavenge over
//   helper threads and marks and sweeps concurrently; a gateway process is one busy thread on a node it shares with
//   others, where the helpers' hand-offs (wake-ups, waits, caches cooled) cost more than their parallel work
//   saves: -1.15 us per request.
//   `--max-inlined-bytecode-size-cumulative=2760` (V8's default 920): TurboFan may inline three times as much
//   bytecode into one optimized function, and the request path's larger functions take in their callees: -0.65 us;
//   1840 and 3680 saved less; 5520 with twice the per-callee limit cost ~0.9 us more than V8's default.

import { spawnSync } from "node:child_process";

export const SEMI_SPACE_FLAG = "--max-semi-space-size";
/** The default of KAPPA_GATEWAY_SEMI_SPACE_MB. */
export const DEFAULT_SEMI_SPACE_MB = 4;
/** The default of KAPPA_GATEWAY_V8_FLAGS. */
export const DEFAULT_V8_FLAGS: readonly string[] = [
  "--single-threaded-gc",
  "--max-inlined-bytecode-size-cumulative=2760",
];

export interface GatewayV8Options {
  /** V8's semi-space in MB; 0 = V8's own sizing */
  semiSpaceMb: number;
  /** further V8 flags, each `--name` or `--name=value` */
  v8Flags: readonly string[];
}

export const DEFAULT_V8_OPTIONS: GatewayV8Options = {
  semiSpaceMb: DEFAULT_SEMI_SPACE_MB,
  v8Flags: DEFAULT_V8_FLAGS,
};

/** A flag's name as V8 reads it: `--a_b=1` and `--a-b` are the same flag. */
export const flagName = (arg: string): string => arg.split("=", 1)[0]!.replaceAll("_", "-");

/** Whether a command-line argument sets the semi-space ("--max-semi-space-size=4", or the flag before its value). */
export const isSemiSpaceFlag = (arg: string): boolean => flagName(arg) === SEMI_SPACE_FLAG;

/** The gateway's flags, as they go on a command line. */
export function gatewayFlags(options: GatewayV8Options): string[] {
  const semiSpace = options.semiSpaceMb > 0 ? [`${SEMI_SPACE_FLAG}=${options.semiSpaceMb}`] : [];
  return [...options.v8Flags, ...semiSpace];
}

/**
 * Node's flags for a gateway process: `execArgv` with the gateway's flags in place of any earlier setting of the
 * same flags (and of the semi-space, which 0 leaves to V8).
 */
export function gatewayExecArgv(execArgv: readonly string[], options: GatewayV8Options): string[] {
  const flags = gatewayFlags(options);
  const names = new Set([SEMI_SPACE_FLAG, ...flags.map(flagName)]);
  return [...execArgv.filter((arg) => !names.has(flagName(arg))), ...flags];
}

/**
 * The gateway's flags this process was started without: set on its command line (to whatever value) or, the
 * semi-space only, in NODE_OPTIONS (which refuses the others).
 */
export function flagsNotInEffect(
  options: GatewayV8Options,
  execArgv: readonly string[],
  nodeOptions: string,
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter(isSemiSpaceFlag)].map(flagName));
  return gatewayFlags(options).filter((flag) => !given.has(flagName(flag)));
}

/**
 * Why this Node would refuse to start with the gateway's flags (its own message, e.g. "bad option: --x"), or
 * undefined when it starts. A cluster primary asks before forking: a worker that cannot start would otherwise be
 * restarted every second for good.
 */
export function refusedFlags(options: GatewayV8Options): string | undefined {
  const run = spawnSync(process.execPath, [...gatewayFlags(options), "-e", "0"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (run.status === 0) return undefined;
  return run.stderr.trim() || run.error?.message || `node exited with ${run.status ?? run.signal}`;
}
