// startController: the controller core that local mode (`kappa dev`) runs, and that the Kubernetes operator will run
// with a pod backend and a Lease. It wires the store's change events into keyed work queues (functions, warm pools),
// the autoscaler, the instance backend's events, queue triggers and schedules. Decisions live in the files it wires.
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { functionKey } from "../api/instances.js";
import type { KappaFunction } from "../api/index.js";
import type { ResourceStore, ResourceEvent } from "../api/store.js";
import { Autoscaler } from "./autoscaler/autoscaler.js";
import type { ScalingConfig } from "./autoscaler/scaling.js";
import type { InstanceBackend } from "./backends/instance-backend.js";
import { ownerKey } from "./backends/instance-backend.js";
import { systemClock, type Clock } from "./clock.js";
import { FunctionReconciler } from "./functions/function-reconciler.js";
import { Launcher } from "./functions/launcher.js";
import { createControllerMetrics } from "./metrics.js";
import { LOCAL_DEFAULT_POOLS, WarmPools, type PoolDefault } from "./pools/warm-pools.js";
import { InstanceRegistry, type RedisClient } from "./registry/instance-registry.js";
import { MemoryStatusWriter, type Status, type StatusWriter } from "./status.js";
import { WorkQueue } from "./work-queue.js";
import { TriggerManager } from "./triggers/trigger-manager.js";
import type { TriggerQueueEngine } from "./triggers/trigger-queue.js";
import type { Invoker } from "./invoker/invoker.js";

export interface LeaderElection {
  /** resolves once this process leads; the controller does nothing before */
  acquire(signal: AbortSignal): Promise<void>;
  /** called when leadership is lost: the controller stops acting */
  onLost(listener: () => void): void;
  release(): Promise<void>;
}

export interface ControllerOptions {
  store: ResourceStore;
  redis: RedisClient;
  backend: InstanceBackend;
  logger: Logger;
  /** prom-client registry the controller's metrics go to */
  registry: Registry;
  clock?: Clock;
  /** needed for QueueTriggers: the queue engine (queue/index.ts QueueEngine or anything with the same methods) */
  queueEngine?: TriggerQueueEngine;
  /** needed for QueueTriggers and Schedules: how the controller invokes functions (HttpInvoker in local mode) */
  invoker?: Invoker;
  leaderElection?: LeaderElection;
  /** warm pools when no RuntimePool resource exists; default LOCAL_DEFAULT_POOLS (one nodejs20 agent); [] for none */
  warmPools?: PoolDefault[];
  /** where status goes; default in memory, mirrored into the store when it is a MemoryResourceStore */
  statusWriter?: StatusWriter;
  /** the gateway's function base URL for status.url, e.g. http://127.0.0.1:8080 */
  functionUrlBase?: string;
  autoscaler?: Partial<ScalingConfig> & { tickMs?: number };
  /** the region put into SQS event records (eventSourceARN, awsRegion); default us-east-1 */
  region?: string;
}

export interface Controller {
  /** the status the controller last wrote for a resource (Function, RuntimePool, QueueTrigger, Schedule) */
  status(kind: string, namespace: string, name: string): Status | undefined;
  /** resolves when all known functions have been reconciled once (tests, `kappa dev` startup output) */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startController(options: ControllerOptions): Promise<Controller> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: "controller" });
  const { store, backend } = options;
  const statusWriter = options.statusWriter ?? new MemoryStatusWriter(store);
  const metrics = createControllerMetrics(options.registry);

  if (options.leaderElection) {
    const abort = new AbortController();
    await options.leaderElection.acquire(abort.signal);
    logger.info("leading");
  }

  // The queues are created below; these closures only run once events flow, after that.
  const enqueueFunction = (key: string) => functionQueue.add(key);
  const enqueuePool = (runtime: string) => poolQueue.add(runtime);

  const pools = new WarmPools({
    backend,
    store,
    statusWriter,
    logger,
    defaults: options.warmPools ?? LOCAL_DEFAULT_POOLS,
    onChange: enqueuePool,
  });
  const autoscaler = new Autoscaler({
    redis: options.redis,
    clock,
    logger,
    onChange: enqueueFunction,
    config: options.autoscaler,
    tickMs: options.autoscaler?.tickMs,
  });
  const launcher = new Launcher(backend, pools, metrics, logger, () => clock.now(), enqueueFunction);
  const reconciler = new FunctionReconciler({
    store,
    backend,
    registry: new InstanceRegistry(options.redis),
    autoscaler,
    launcher,
    statusWriter,
    metrics,
    clock,
    logger,
    functionUrlBase: options.functionUrlBase,
  });
  const timed = (kind: string, run: (key: string) => Promise<unknown>) => async (key: string) => {
    const end = metrics.reconcileSeconds.startTimer({ kind });
    try {
      const result = await run(key);
      metrics.reconciles.inc({ kind, result: "ok" });
      return result as { requeueAfterMs?: number } | void;
    } catch (error) {
      metrics.reconciles.inc({ kind, result: "error" });
      throw error;
    } finally {
      end();
    }
  };
  const functionQueue = new WorkQueue(
    timed("Function", (key) => reconciler.reconcile(key)),
    clock,
    logger,
  );
  const poolQueue = new WorkQueue(
    timed("RuntimePool", (runtime) => pools.reconcile(runtime)),
    clock,
    logger,
  );
  const triggers = new TriggerManager({
    store,
    queueEngine: options.queueEngine,
    invoker: options.invoker,
    statusWriter,
    metrics,
    clock,
    logger,
    region: options.region ?? "us-east-1",
  });

  const unwatchBackend = backend.watch((event) => {
    if (event.type !== "exited") return;
    const { instance } = event;
    if (!event.expected) metrics.crashes.inc({ kind: instance.owner ? "function" : "pool" });
    if (pools.isMember(instance.id)) pools.forget(instance.id);
    if (instance.owner) enqueueFunction(ownerKey(instance.owner));
  });

  const onStoreChange = (event: ResourceEvent) => {
    const { kind, metadata } = event.resource;
    switch (kind) {
      case "Function":
        enqueueFunction(functionKey(metadata.namespace, metadata.name));
        break;
      case "ConfigMap":
        for (const fn of store.list<KappaFunction>("Function", metadata.namespace)) {
          if (fn.spec?.code?.configMap?.name === metadata.name) {
            enqueueFunction(functionKey(fn.metadata.namespace, fn.metadata.name));
          }
        }
        break;
      case "RuntimePool":
        for (const runtime of pools.runtimes()) enqueuePool(runtime);
        break;
      case "QueueTrigger":
      case "Schedule":
      case "Queue":
        triggers.sync();
        break;
    }
  };
  const unwatchStore = store.onChange(onStoreChange);

  await autoscaler.start();
  for (const runtime of pools.runtimes()) enqueuePool(runtime);
  for (const fn of store.list<KappaFunction>("Function"))
    enqueueFunction(functionKey(fn.metadata.namespace, fn.metadata.name));
  triggers.sync();
  logger.info({ backend: backend.kind }, "controller started");

  let closed = false;
  const controller: Controller = {
    status: (kind, namespace, name) => statusWriter.read(kind, namespace, name),
    async idle() {
      while (!closed && (functionQueue.length > 0 || functionQueue.busy > 0)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      unwatchStore();
      await triggers.close();
      await autoscaler.close();
      await Promise.all([functionQueue.close(), poolQueue.close()]);
      await launcher.drain();
      await reconciler.close();
      unwatchBackend();
      if (backend.ephemeral) {
        // Local instances die with the controller: empty their registries so no gateway routes to a dead port.
        const registry = new InstanceRegistry(options.redis);
        await Promise.allSettled(
          [...reconciler.written].map((key) => {
            const slash = key.indexOf("/");
            return registry.replace(key.slice(0, slash), key.slice(slash + 1), []);
          }),
        );
      }
      await backend.close();
      await options.leaderElection?.release();
      logger.info("controller stopped");
    },
  };
  // A controller that lost its lease must stop acting at once: another one is reconciling the same keys.
  options.leaderElection?.onLost(() => {
    logger.error("leadership lost; stopping");
    void controller.close();
  });
  return controller;
}
