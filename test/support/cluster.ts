// Helpers for end-to-end tests against the single-node cluster of `npm run cluster:up` (test/cluster/up.sh):
// load its kubeconfig, find its kubectl/helm, and wait for conditions with a bound and a clear message.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";

const execFileAsync = promisify(execFile);

export interface ClusterInfo {
  kubeconfigPath: string;
  /** kubectl v1.33 from the npm layer package. */
  kubectl: string;
  /** helm 4 and helm 3, both from the npm layer packages. */
  helm: string;
  helm3: string;
  /** The node's name and IP (pods reach the host, and the apiserver, at this IP). */
  nodeName: string;
  nodeIp: string;
  /** Whether CoreDNS runs (KAPPA_CLUSTER_DNS=1 at `up`); off by default, since nothing of Kappa's needs it. */
  clusterDns: boolean;
}

export function clusterDir(): string {
  return join(process.env.KAPPA_STATE_ROOT ?? join(homedir(), ".kappa"), "cluster");
}

/** Reads the facts up.sh writes to ~/.kappa/cluster/env; throws with the fix when no cluster runs. */
export function clusterInfo(): ClusterInfo {
  const envFile = join(clusterDir(), "env");
  if (!existsSync(envFile)) {
    throw new Error(`no test cluster: ${envFile} is missing. Start one with: npm run cluster:up`);
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const need = (key: string): string => {
    const value = vars[key];
    if (!value)
      throw new Error(
        `${envFile} lacks ${key}; restart the cluster: npm run cluster:down && npm run cluster:up`,
      );
    return value;
  };
  return {
    kubeconfigPath: need("KUBECONFIG"),
    kubectl: need("KAPPA_KUBECTL"),
    helm: need("KAPPA_HELM"),
    helm3: need("KAPPA_HELM3"),
    nodeName: need("KAPPA_NODE_NAME"),
    nodeIp: need("KAPPA_NODE_IP"),
    clusterDns: vars.KAPPA_CLUSTER_DNS === "1",
  };
}

export function loadClusterKubeConfig(kubeconfigPath = clusterInfo().kubeconfigPath): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

/** Runs the cluster's kubectl with its kubeconfig; resolves stdout, rejects with stderr in the message. */
export async function kubectl(args: string[], info = clusterInfo()): Promise<string> {
  try {
    const { stdout } = await execFileAsync(info.kubectl, ["--kubeconfig", info.kubeconfigPath, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined/false and returns that value. On timeout throws an
 * error naming `what` and the last thing the probe reported (its last error, or `describe()` of the state).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 120_000, intervalMs = 500 }: WaitOptions = {},
  describe?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      let detail = lastError instanceof Error ? `last error: ${lastError.message}` : "";
      if (describe) detail += ` state: ${await describe().catch((e: Error) => e.message)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${detail}`.trim());
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until the Deployment has observed its spec and `replicas` pods are ready and up to date. */
export async function waitForDeploymentReady(
  apps: k8s.AppsV1Api,
  namespace: string,
  name: string,
  replicas: number,
  options?: WaitOptions,
): Promise<k8s.V1Deployment> {
  return waitFor(
    `deployment ${namespace}/${name} to have ${replicas} ready replicas`,
    async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const s = d.status;
      const done =
        s !== undefined &&
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s.readyReplicas === replicas &&
        s.updatedReplicas === replicas &&
        (s.replicas ?? 0) === replicas;
      return done ? d : undefined;
    },
    options,
    async () => JSON.stringify((await apps.readNamespacedDeployment({ name, namespace })).status ?? {}),
  );
}

/** The ready pods matching the label selector, once there are exactly `count` of them (none terminating). */
export async function waitForReadyPods(
  core: k8s.CoreV1Api,
  namespace: string,
  labelSelector: string,
  count: number,
  options?: WaitOptions,
): Promise<k8s.V1Pod[]> {
  const list = async () => (await core.listNamespacedPod({ namespace, labelSelector })).items;
  return waitFor(
    `${count} ready pods with ${labelSelector} in ${namespace}`,
    async () => {
      const pods = (await list()).filter((p) => !p.metadata?.deletionTimestamp);
      const ready = pods.filter(isPodReady);
      return ready.length === count && pods.length === count ? ready : undefined;
    },
    options,
    async () =>
      (await list()).map((p) => `${p.metadata?.name}:${p.status?.phase}:ready=${isPodReady(p)}`).join(", "),
  );
}

export function isPodReady(pod: k8s.V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Creates a namespace with a unique name for one test; delete it with deleteNamespace. */
export async function createTestNamespace(core: k8s.CoreV1Api, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await core.createNamespace({ body: { metadata: { name, labels: { "kappa.dev/test": "true" } } } });
  return name;
}

/** Deletes the namespace and, unless told not to, waits until it is gone. */
export async function deleteNamespace(core: k8s.CoreV1Api, name: string, wait = true): Promise<void> {
  try {
    await core.deleteNamespace({ name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return;
    throw error;
  }
  if (!wait) return;
  await waitFor(`namespace ${name} to be deleted`, async () => {
    try {
      await core.readNamespace({ name });
      return false;
    } catch (error) {
      return (error as { code?: number }).code === 404;
    }
  });
}
