// The test cluster does what Kappa's end-to-end tests rely on: a Deployment of a locally built image becomes
// Ready, a Service's EndpointSlice lists its pods, a pod answers HTTP from the host (directly and through the
// Service's cluster IP), and a deleted pod is replaced.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import {
  createTestNamespace,
  deleteNamespace,
  loadClusterKubeConfig,
  waitFor,
  waitForDeploymentReady,
  waitForReadyPods,
} from "../support/cluster.js";

const image = "kappa-test/hello:1";
const labels = { app: "hello" };
const selector = "app=hello";

let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let discovery: k8s.DiscoveryV1Api;
let namespace: string;

async function getJson(url: string): Promise<{ pod: string; path: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 200);
  return (await response.json()) as { pod: string; path: string };
}

before(async () => {
  // Builds the image (and kappa/node-base) if it is not cached yet, and imports it into the cluster.
  const build = join(dirname(fileURLToPath(import.meta.url)), "..", "images", "hello", "build.sh");
  await promisify(execFile)("bash", [build]);
  const kc = loadClusterKubeConfig();
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  namespace = await createTestNamespace(core, "kappa-smoke");
});

after(async () => {
  if (namespace) await deleteNamespace(core, namespace, false);
});

test("a two-pod Deployment of a local image becomes Ready and is served", async () => {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "hello", labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: "hello",
                image,
                imagePullPolicy: "Never",
                ports: [{ containerPort: 8080, name: "http" }],
                readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
  });
  await core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: "hello" },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080, name: "http" }] },
    },
  });

  await waitForDeploymentReady(apps, namespace, "hello", 2);
  const pods = await waitForReadyPods(core, namespace, selector, 2);
  const podIps = pods.map((p) => p.status?.podIP).sort();
  assert.equal(new Set(podIps).size, 2, `two distinct pod IPs, got ${podIps.join(", ")}`);

  // The EndpointSlice controller lists both pods as ready endpoints of the Service.
  const sliceIps = await waitFor(
    `an EndpointSlice of service hello listing ${podIps.join(", ")}`,
    async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: "kubernetes.io/service-name=hello",
      });
      const ready = slices.items
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.conditions?.ready)
        .flatMap((e) => e.addresses)
        .sort();
      return JSON.stringify(ready) === JSON.stringify(podIps) ? ready : undefined;
    },
  );
  assert.deepEqual(sliceIps, podIps);

  // A pod answers HTTP from the host on its pod IP, and reports its own name.
  const first = pods[0]!;
  const answer = await getJson(`http://${first.status?.podIP}:8080/smoke`);
  assert.deepEqual(answer, { pod: first.metadata?.name, path: "/smoke" });

  // kube-proxy routes the Service's cluster IP to one of the two pods.
  const service = await core.readNamespacedService({ name: "hello", namespace });
  const clusterIp = service.spec?.clusterIP;
  const viaService = await waitFor(`service hello at ${clusterIp}:80 to answer`, () =>
    getJson(`http://${clusterIp}:80/svc`),
  );
  assert.ok(
    pods.some((p) => p.metadata?.name === viaService.pod),
    `${viaService.pod} is one of the pods`,
  );

  // A deleted pod is replaced by a new one, and the Deployment is whole again.
  const deleted = first.metadata!.name!;
  await core.deleteNamespacedPod({ name: deleted, namespace });
  const replaced = await waitFor(`a replacement for pod ${deleted}`, async () => {
    const ready = await waitForReadyPods(core, namespace, selector, 2, { timeoutMs: 2_000 }).catch(
      () => undefined,
    );
    return ready && !ready.some((p) => p.metadata?.name === deleted) ? ready : undefined;
  });
  assert.equal(replaced.length, 2);
  const newcomer = replaced.find((p) => !pods.some((old) => old.metadata?.uid === p.metadata?.uid))!;
  assert.ok(newcomer, "one pod is new");
  assert.equal((await getJson(`http://${newcomer.status?.podIP}:8080/again`)).pod, newcomer.metadata?.name);
  await waitForDeploymentReady(apps, namespace, "hello", 2);
});
