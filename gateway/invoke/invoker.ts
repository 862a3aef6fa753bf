// The invoke path shared by the HTTP routes, the Lambda Invoke API, the async dispatcher and the auth stages'
// authorizers: admit under reserved concurrency, take a slot (now, or through the activator), call the agent,
// and on a refusal (429 InstanceBusy, 503 NotReady) or a dead connection try another instance, bounded.
import { randomUUID } from "node:crypto";
import type { Activator, Lease } from "../activator/activator.js";
import type { Clock } from "../clock.js";
import type { FunctionCatalog, FunctionSettings } from "../functions.js";
import { SYNC_PAYLOAD_LIMIT_BYTES } from "../functions.js";
import type { FunctionInvoker } from "../http/gateway-request.js";
import { HttpError } from "../http/http-error.js";
import type { AgentPools } from "./agent-pools.js";
import { startAgentCall, type AgentOutcome, type InvokeRequest } from "./agent-call.js";
import { Cancellation } from "./cancellation.js";
import { Deadlines, Expiring } from "./deadlines.js";
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

/** Called once per invocation: with its result, or with why there is none. */
export type InvokeCallback = (error: unknown, result?: InvokeResult) => void;

export class Invoker {
  constructor(private readonly deps: InvokerDeps) {}

  /**
   * The whole call (admission, attempts, the agent's reply) with its result going to `done`. A callback rather
   * than a promise: the HTTP path waits for the function once, without a promise and a microtask hop per layer
   * (docs/gateway-performance.md "Eighth round").
   */
  call(fn: FunctionSettings, options: InvokeOptions, done: InvokeCallback): void {
    try {
      this.deps.reserved.admit(fn);
    } catch (error) {
      return done(error);
    }
    // One clock read for the start of the call: the tracker, the wait bound and the first attempt share it.
    const now = this.deps.clock.now();
    this.deps.inflight.start(fn.key, now);
    new Invocation(this.deps, fn, options, done, now).next(now);
  }

  /** `call` as a promise. */
  invoke(fn: FunctionSettings, options: InvokeOptions): Promise<InvokeResult> {
    return new Promise((resolve, reject) =>
      this.call(fn, options, (error, result) => (error ? reject(error) : resolve(result!))),
    );
  }
}

/** Every attempt's time limit, for all invokers of the process. */
const attemptDeadlines = new Deadlines();

/** One invocation under way: its attempts, one instance at a time, until one answers or MAX_ATTEMPTS have tried. */
class Invocation extends Expiring {
  private readonly controller = new Cancellation();
  private readonly waitDeadline: number;
  private attempt = 0;
  private exclude: Set<string> | undefined;
  private lastProblem = "";
  /** the limit the current attempt reports when it runs out: the run time's or the overall bound's */
  private attemptTimeoutMs = 0;

  constructor(
    private readonly deps: InvokerDeps,
    private readonly fn: FunctionSettings,
    private readonly options: InvokeOptions,
    private readonly done: InvokeCallback,
    started: number,
  ) {
    super();
    const overall = options.overallTimeoutMs;
    this.waitDeadline = overall === undefined ? Infinity : started + overall;
  }

  /**
   * Takes a slot for the next attempt: now, or through the activator, which bounds the wait itself. `now`: the
   * clock as the caller just read it, if it did.
   */
  next(now = this.deps.clock.now()): void {
    if (this.attempt >= MAX_ATTEMPTS) {
      const { namespace, name } = this.fn;
      return this.finish(
        new InstancesFailing(`no instance of ${namespace}/${name} took the request: ${this.lastProblem}`),
      );
    }
    this.attempt++;
    const { activator } = this.deps;
    const lease = activator.tryAcquireNow(this.fn, this.exclude, now);
    if (lease) return this.send(lease, now);
    activator.acquire(this.fn, this.waitDeadline, this.exclude).then(
      (acquired) => this.send(acquired, this.deps.clock.now()),
      (error: unknown) => this.finish(error),
    );
  }

  private send(lease: Lease, now: number): void {
    const { pools, registry } = this.deps;
    const { options, controller } = this;
    const { instance } = lease;
    const runMs = options.timeoutMs + (options.graceMs ?? 0);
    // One deadline per attempt: whichever of the run time and the overall bound ends first.
    const overallFirst = this.waitDeadline - now < runMs;
    this.attemptTimeoutMs = overallFirst ? options.overallTimeoutMs! : options.timeoutMs;
    attemptDeadlines.add(this, overallFirst ? Math.max(0, this.waitDeadline - now) : runMs);
    const request: InvokeRequest = {
      requestId: options.requestId,
      payload: options.payload,
      payloadBytes: options.payloadBytes,
      deadlineMs: now + options.timeoutMs,
      logType: options.logType,
      clientContext: options.clientContext,
      invokedArn: options.invokedArn,
    };
    let pool;
    try {
      pool = pools.get(instance.record.url);
    } catch (error) {
      attemptDeadlines.remove(this);
      registry.release(lease.fn, instance);
      return this.finish(error);
    }
    startAgentCall(pool, request, controller, MAX_RESPONSE_BYTES, (error, outcome) => {
      attemptDeadlines.remove(this);
      registry.release(lease.fn, instance);
      if (error) return this.finish(error);
      this.answered(lease, outcome!);
    });
  }

  override expire(): void {
    this.controller.abort(new InvokeTimeout(this.attemptTimeoutMs));
  }

  private answered(lease: Lease, outcome: AgentOutcome): void {
    const { instance } = lease;
    if (outcome.kind === "done") {
      return this.finish(undefined, {
        payload: outcome.payload,
        functionError: outcome.functionError,
        logResult: outcome.logResult,
        instanceId: instance.record.id,
      });
    }
    const backoff =
      outcome.kind === "failed"
        ? TRANSPORT_BACKOFF_MS
        : outcome.status === 429
          ? BUSY_BACKOFF_MS
          : NOT_READY_BACKOFF_MS;
    this.lastProblem =
      outcome.kind === "refused"
        ? `instance ${instance.record.id} answered ${outcome.status} ${outcome.code}`
        : `instance ${instance.record.id} failed: ${outcome.error.message}`;
    this.deps.registry.markUnavailable(lease.fn, instance, backoff);
    (this.exclude ??= new Set()).add(instance.record.id);
    this.next();
  }

  private finish(error: unknown, result?: InvokeResult): void {
    this.deps.inflight.end(this.fn.key);
    this.deps.reserved.release(this.fn);
    this.done(error, result);
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
