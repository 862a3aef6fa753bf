// The size of V8's young generation for the gateway's processes. Each request allocates ~12 KB that dies young;
// with V8's default semi-space (16 MB on 64-bit) that allocation walks far more memory than the cores' caches
// hold, and every cache line it touches evicts something the gateway and the kernel's network path use next.
// On this project's 2-core build machines (2 MB L2 per core) a 4 MB semi-space spent 0.8 us less per request
// (~3%) than the default; 2 MB spent more (scavenges come too often, copying the requests in flight), 8 MB less
// than the default but more than 4 (docs/gateway-performance.md "Tenth round"). V8 reads the size only when a
// process starts, so it reaches a process as a command-line flag.

export const SEMI_SPACE_FLAG = "--max-semi-space-size";
/** The default of KAPPA_GATEWAY_SEMI_SPACE_MB. */
export const DEFAULT_SEMI_SPACE_MB = 4;

/** Whether a command-line argument sets the semi-space ("--max-semi-space-size=4", or the flag before its value). */
export const isSemiSpaceFlag = (arg: string): boolean =>
  arg === SEMI_SPACE_FLAG || arg.startsWith(`${SEMI_SPACE_FLAG}=`);

/** Node's flags for a gateway process: `execArgv` with the semi-space flag set to `semiSpaceMb` (0: V8's own). */
export function gatewayExecArgv(execArgv: readonly string[], semiSpaceMb: number): string[] {
  const others = execArgv.filter((arg) => !isSemiSpaceFlag(arg));
  return semiSpaceMb > 0 ? [...others, `${SEMI_SPACE_FLAG}=${semiSpaceMb}`] : others;
}
