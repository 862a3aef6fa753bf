// The invoke path shared by the HTTP routes, the Lambda Invoke API, the async dispatcher and the auth stages'
// authorizers: admit under reserved concurrency, take a slot (now, or through the activator), call the agent,
// and on a refusal (429 InstanceBusy, 503 NotReady) or a dead connection try another instance, bounded.
import { randomUUID } from "node:crypto";
import type { Activator } from "../activator/activator.js";
import type { Clock } from "../clock.js";
import type { FunctionCatalog, FunctionSettings } from "../functions.js";
import { SYNC_PAYLOAD_LIMIT_BYTES } from "../functions.js";
import type { FunctionInvoker } from "../http/gateway-request.js";
import { HttpError } from "../http/http-error.js";
import type { AgentPools } from "./agent-pools.js";
import { callAgent, type InvokeRequest } from "./agent-call.js";
import { Cancellation } from "./cancellation.js";
import type { InflightTracker } from "./inflight-tracker.js";
import type { InstanceRegistry } from "./instance-registry.js";
import type { ReservedConcurrency } from "./reserved-concurrency.js";

/** Instances tried for one request before it gives up: enough to route around a few dying instances. */
const MAX_ATTEMPTS = 5;
/** How long an instance that answered 429 is skipped: it frees a slot within one invocation, usually sooner. */
const BUSY_BACKOFF_MS = 50;
/** How long an instance that says 503 NotReady is skipped (the controller replaces or removes it). */
const NOT_READY_BACKOFF_MS = 2_000;
/**
 * How long an instance is skipped after a transport failure: short, because one reset connection says little
 * about the instance, and a function with a single instance would otherwise stall for the whole backoff.
 */
const TRANSPORT_BACKOFF_MS = 250;
/** Lambda lets a response through up to 6 MB; the runtime API adds 100 bytes of slack (AWS-COMPAT.md §1). */
const MAX_RESPONSE_BYTES = SYNC_PAYLOAD_LIMIT_BYTES + 100;

export interface InvokeResult {
  payload: Buffer;
  functionError?: string;
  logResult?: string;
  instanceId: string;
}

/** The function did not answer within its time; each surface words this its own way. */
export class InvokeTimeout extends Error {
  override readonly name = "InvokeTimeout";
  constructor(readonly timeoutMs: number) {
    super(`the invocation did not finish within ${timeoutMs} ms`);
  }
}

/** No instance could take the request after MAX_ATTEMPTS tries. */
export class InstancesFailing extends Error {
  override readonly name = "InstancesFailing";
}

export interface InvokeOptions extends Omit<InvokeRequest, "deadlineMs"> {
  /**
   * How long the function may run once an instance has it; the agent enforces it as the deadline and the
   * gateway gives up this long after handing the request over. Waiting for an instance does not count: that
   * is bounded by the activator (limits.activatorMaxWaitMs), as Lambda does not count a cold start either.
   */
  timeoutMs: number;
  /** extra time the gateway waits past the agent's deadline for its answer (the agent reports timeouts itself) */
  graceMs?: number;
  /** a bound on the whole call, waiting included (a Route's integration timeout) */
  overallTimeoutMs?: number;
}

export interface InvokerDeps {
  registry: InstanceRegistry;
  activator: Activator;
  pools: AgentPools;
  reserved: ReservedConcurrency;
  inflight: InflightTracker;
  clock: Clock;
}

export class Invoker {
  constructor(private readonly deps: InvokerDeps) {}

  // One async function for the whole call (admission, attempts, the agent's reply): each layer of async
  // functions costs a promise and a microtask hop per request.
  async invoke(fn: FunctionSettings, options: InvokeOptions): Promise<InvokeResult> {
    const { reserved, inflight, registry, pools, clock } = this.deps;
    reserved.admit(fn);
    inflight.start(fn.key);
    const controller = new Cancellation();
    const overall = options.overallTimeoutMs;
    const waitDeadline = overall === undefined ? Infinity : clock.now() + overall;
    let exclude: Set<string> | undefined;
    let lastProblem = "";
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const lease =
          this.deps.activator.tryAcquireNow(fn, exclude) ??
          // The activator bounds a wait itself: by its longest wait and by the overall bound.
          (await this.deps.activator.acquire(fn, waitDeadline, exclude));
        const { instance } = lease;
        const now = clock.now();
        const runMs = options.timeoutMs + (options.graceMs ?? 0);
        // One timer per attempt (each costs an allocation and a list insert): whichever of the run time and
        // the overall bound ends first.
        const overallFirst = waitDeadline - now < runMs;
        const timer = setTimeout(
          () => controller.abort(new InvokeTimeout(overallFirst ? overall! : options.timeoutMs)),
          overallFirst ? Math.max(0, waitDeadline - now) : runMs,
        );
        const request: InvokeRequest = {
          requestId: options.requestId,
          payload: options.payload,
          payloadBytes: options.payloadBytes,
          deadlineMs: now + options.timeoutMs,
          logType: options.logType,
          clientContext: options.clientContext,
          invokedArn: options.invokedArn,
        };
        try {
          const outcome = await callAgent(
            pools.get(instance.record.url),
            request,
            controller,
            MAX_RESPONSE_BYTES,
          );
          if (outcome.kind === "done") {
            return {
              payload: outcome.payload,
              functionError: outcome.functionError,
              logResult: outcome.logResult,
              instanceId: instance.record.id,
            };
          }
          const backoff =
            outcome.kind === "failed"
              ? TRANSPORT_BACKOFF_MS
              : outcome.status === 429
                ? BUSY_BACKOFF_MS
                : NOT_READY_BACKOFF_MS;
          lastProblem =
            outcome.kind === "refused"
              ? `instance ${instance.record.id} answered ${outcome.status} ${outcome.code}`
              : `instance ${instance.record.id} failed: ${outcome.error.message}`;
          registry.markUnavailable(lease.fn, instance, backoff);
          exclude ??= new Set();
          exclude.add(instance.record.id);
        } finally {
          clearTimeout(timer);
          registry.release(lease.fn, instance);
        }
      }
      throw new InstancesFailing(
        `no instance of ${fn.namespace}/${fn.name} took the request: ${lastProblem}`,
      );
    } finally {
      inflight.end(fn.key);
      reserved.release(fn);
    }
  }
}

/** The FunctionInvoker the auth stages use for REQUEST authorizers. */
export function functionInvoker(invoker: Invoker, catalog: FunctionCatalog): FunctionInvoker {
  return {
    async invoke(target, payload, options = {}) {
      const fn = catalog.get(target.namespace, target.name);
      if (!fn)
        throw new HttpError(
          500,
          "AuthorizerConfigurationError",
          `authorizer function ${target.namespace}/${target.name} does not exist`,
        );
      const result = await invoker.invoke(fn, {
        requestId: options.requestId ?? randomUUID(),
        payload,
        timeoutMs: Math.min(options.timeoutMs ?? fn.timeoutMs, fn.timeoutMs),
        overallTimeoutMs: options.timeoutMs,
      });
      return { payload: result.payload, functionError: result.functionError };
    },
  };
}
