// Where function instances run. The controller decides how many instances a function needs; a backend only
// starts, specializes, stops and lists them. Local mode runs each instance as a child process of the runtime agent
// (local-process.ts); the Kubernetes operator will run pods. Both pass test/integration/controller/backend-conformance.ts.
import type { SpecializeRequest } from "../../api/agent.js";

export type InstanceRuntime = SpecializeRequest["runtime"];

export interface InstanceOwner {
  namespace: string;
  name: string;
}

export interface InstanceSpec {
  /** unique, chosen by the controller (names.instanceId) */
  id: string;
  runtime: InstanceRuntime;
  memoryMiB: number;
  /** the function it is started for; absent for a generic warm-pool instance */
  owner?: InstanceOwner;
  /** revision of the function spec it will run (for rolling updates); absent for a generic instance */
  revision?: string;
}

/**
 * starting: process/pod created, agent not answering yet; started: agent serves /healthz but runs no function;
 * ready: specialized and /readyz answers 200; exited: gone (stopped or crashed).
 */
export type InstancePhase = "starting" | "started" | "ready" | "exited";

export interface InstanceStatus {
  id: string;
  runtime: InstanceRuntime;
  memoryMiB: number;
  phase: InstancePhase;
  /** agent base URL, known once started */
  url?: string;
  owner?: InstanceOwner;
  revision?: string;
  codeSha256?: string;
  perInstance?: number;
  startedAt: number;
  readySince?: number;
  /** set when the function's init threw during specialization (the instance still serves, invokes get the error) */
  initError?: string;
  /** the agent's process id, for backends that run local processes */
  pid?: number;
}

export type InstanceEvent =
  | { type: "started" | "ready"; instance: InstanceStatus }
  /** stopped on request (expected=true) or crashed (expected=false) */
  | { type: "exited"; instance: InstanceStatus; expected: boolean; reason: string };

export interface StopOptions {
  /** how long in-flight invocations get to finish before the instance is killed */
  graceMs?: number;
}

export interface InstanceBackend {
  readonly kind: string;
  /** true when instances stop with the backend (local processes); false when they outlive it (pods) */
  readonly ephemeral: boolean;
  /** Starts a generic agent; resolves once it serves /healthz (phase "started"); rejects if it cannot start. */
  start(spec: InstanceSpec): Promise<InstanceStatus>;
  /**
   * Loads a function into a started instance (POST /specialize) and resolves once /readyz answers 200
   * (phase "ready"). The instance now belongs to request.namespace/name with the given revision.
   */
  specialize(id: string, request: SpecializeRequest, revision: string): Promise<InstanceStatus>;
  /** Stops an instance; resolves when it is gone. Unknown ids resolve quietly (stop is idempotent). */
  stop(id: string, options?: StopOptions): Promise<void>;
  list(): InstanceStatus[];
  get(id: string): InstanceStatus | undefined;
  /** Readiness and exit events; returns an unsubscribe function. */
  watch(listener: (event: InstanceEvent) => void): () => void;
  /** Stops every instance this backend started. */
  close(): Promise<void>;
}

export const ownerKey = (owner: InstanceOwner): string => `${owner.namespace}/${owner.name}`;
