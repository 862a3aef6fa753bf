// Messages between the supervisor (host-supervisor.ts) and the Node host worker
// (hosts/node/worker/main.mjs) over the fork IPC channel.

/** Everything a host worker needs to become a function; the supervisor validated and prepared it. */
export interface WorkerFunction {
  namespace: string;
  name: string;
  handler: string;
  taskRoot: string;
  /** the complete process environment of the function (Lambda's variables plus its own) */
  env: Record<string, string>;
  perInstance: number;
  timeoutSeconds: number;
  memoryMiB: number;
  initTimeoutMs: number;
  arn: string;
}

/** Counts that outlive a worker; each worker reports them on /metrics. */
export interface CarriedCounts {
  restarts: Record<string, number>;
  initErrors: number;
}

export type ToWorker =
  | { type: "start"; carry: CarriedCounts; fn?: WorkerFunction; lazyInit?: boolean }
  | { type: "become"; id: number; fn: WorkerFunction }
  | { type: "specialized"; id: number; status: number; body: unknown; stepDown?: boolean }
  | { type: "carry"; carry: CarriedCounts }
  | { type: "drain" }
  | { type: "heartbeat" };

export type InitResult = { ok: true } | { ok: false; error: { errorType: string; errorMessage: string } };

export type FromWorker =
  | { type: "ready" }
  | { type: "specialize"; id: number; body: string }
  | ({ type: "initResult" } & InitResult)
  | { type: "retire"; reason: string };
