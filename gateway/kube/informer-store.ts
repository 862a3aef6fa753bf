// The ResourceStore the gateway reads in Kubernetes: informers (list + watch) on the kinds the data plane
// acts on, feeding a MemoryResourceStore, so routing and auth hot-reload exactly as in local mode.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { API_GROUP, API_VERSION_NAME, kindInfo } from "../../api/index.js";
import { MemoryResourceStore, type StoredResource } from "../../api/store.js";

/** What the gateway reads: routing (Function, Route), auth (Authorizer, ApiKey, UsagePlan, Secret), async (Queue). */
export const GATEWAY_KINDS = ["Function", "Route", "Authorizer", "ApiKey", "UsagePlan", "Queue"] as const;
/** Informers restart after a watch error with this pause, so a flapping API server is not hammered. */
const RESTART_DELAY_MS = 2_000;

export interface InformerStoreOptions {
  logger: Logger;
  kubeConfig?: KubeConfig;
  /** label selector for the Secrets watched (API key values); all Secrets when absent */
  secretLabelSelector?: string;
}

export async function startInformerStore(
  options: InformerStoreOptions,
): Promise<{ store: MemoryResourceStore; stop(): void }> {
  const kc = options.kubeConfig ?? new KubeConfig();
  if (!options.kubeConfig) kc.loadFromDefault();
  const store = new MemoryResourceStore();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const informers: Array<{ stop(): Promise<void> | void }> = [];
  const started: Array<Promise<void>> = [];
  let stopped = false;

  const watch = <T extends KubernetesObject>(
    kind: string,
    apiVersion: string,
    path: string,
    list: () => Promise<{ items: T[] }>,
    selector?: string,
  ) => {
    const informer = makeInformer<T>(kc, path, list as never, selector);
    const upsert = (obj: T) => store.upsert({ ...(obj as unknown as StoredResource), kind, apiVersion });
    informer.on("add", upsert);
    informer.on("update", upsert);
    informer.on("delete", (obj: T) =>
      store.delete(kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? ""),
    );
    informer.on("error", (error: unknown) => {
      options.logger.warn({ err: error, kind }, "watch failed; restarting");
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), RESTART_DELAY_MS).unref();
    });
    informers.push(informer);
    started.push(informer.start());
  };

  for (const kind of GATEWAY_KINDS) {
    const plural = kindInfo(kind)!.plural;
    watch(
      kind,
      `${API_GROUP}/${API_VERSION_NAME}`,
      `/apis/${API_GROUP}/${API_VERSION_NAME}/${plural}`,
      async () =>
        (await custom.listClusterCustomObject({ group: API_GROUP, version: API_VERSION_NAME, plural })) as {
          items: KubernetesObject[];
        },
    );
  }
  watch(
    "Secret",
    "v1",
    "/api/v1/secrets",
    () => core.listSecretForAllNamespaces({ labelSelector: options.secretLabelSelector }),
    options.secretLabelSelector,
  );
  await Promise.all(started);
  return {
    store,
    stop() {
      stopped = true;
      for (const informer of informers) void informer.stop();
    },
  };
}
