// The test cluster does what Kappa's end-to-end tests rely on: a Deployment of a locally built image becomes
// Ready, a Service's EndpointSlice lists its pods, a pod answers HTTP from the host (directly and through the
// Service's cluster IP), a deleted pod is replaced, a pod reaches the API server through the kubernetes Service
// with its service-account token, and helm 3 and helm 4 both install a chart. With KAPPA_CLUSTER_DNS=1, pods
// resolve Service names.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { get } from "node:http";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import {
  clusterInfo,
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

/**
 * GET on a connection of its own (no keep-alive). A poll that reaches the cluster IP before kube-proxy has
 * written the Service's rules leaves the host by the default route, and whatever answers there stays on the
 * other end of a kept-alive connection: every later poll would reuse it and never see the rules.
 */
function getJson(url: string): Promise<{ pod: string; path: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 5_000 }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("error", reject);
      response.on("end", () => {
        try {
          assert.equal(response.statusCode, 200, `${url} answered ${response.statusCode}: ${text}`);
          resolve(JSON.parse(text) as { pod: string; path: string });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on("timeout", () => request.destroy(new Error(`${url} did not answer within 5 s`)));
    request.on("error", reject);
  });
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

test("a pod reaches the API server through the kubernetes Service with its service-account token", async () => {
  // What an in-cluster client (Kappa's controller and gateway) does: KUBERNETES_SERVICE_HOST + token + CA.
  const script = [
    "const fs = require('fs'), https = require('https');",
    "const sa = '/var/run/secrets/kubernetes.io/serviceaccount/';",
    "https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,",
    "  path: '/version', ca: fs.readFileSync(sa + 'ca.crt'),",
    "  headers: { authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } }, (r) => {",
    "  let body = ''; r.on('data', (d) => (body += d));",
    "  r.on('end', () => { console.log(JSON.stringify({ status: r.statusCode, body: JSON.parse(body) })); });",
    "}).on('error', (e) => { console.error(e.message); process.exit(1); });",
  ].join("\n");
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: "api-client" },
      spec: {
        restartPolicy: "Never",
        containers: [
          { name: "client", image: "kappa/node-base:20", imagePullPolicy: "Never", args: ["-e", script] },
        ],
      },
    },
  });
  const phase = await waitFor("pod api-client to finish", async () => {
    const p = (await core.readNamespacedPod({ name: "api-client", namespace })).status?.phase;
    return p === "Succeeded" || p === "Failed" ? p : undefined;
  });
  // The log comes through the API server from the kubelet: that path (kubelet serving certificate, the API
  // server's kubelet client certificate) is what `kubectl logs` and `kappa logs` use.
  const log = await core.readNamespacedPodLog({ name: "api-client", namespace });
  assert.equal(phase, "Succeeded", `pod log: ${log}`);
  const answer = JSON.parse(log.trim()) as { status: number; body: { major: string; gitVersion: string } };
  assert.equal(answer.status, 200);
  assert.equal(answer.body.major, "1");
  assert.match(answer.body.gitVersion, /^v1\.\d+\.\d+/);
});

test("helm 3 and helm 4 install a chart with a kubeVersion constraint", async () => {
  const info = clusterInfo();
  const chart = join(dirname(fileURLToPath(import.meta.url)), "..", "cluster", "fixtures", "smoke-chart");
  const run = promisify(execFile);
  for (const [helm, major] of [
    [info.helm3, "3"],
    [info.helm, "4"],
  ] as const) {
    const { stdout: version } = await run(helm, ["version", "--short"]);
    assert.ok(version.startsWith(`v${major}.`), `${helm} is helm ${major}: ${version}`);
    const release = `smoke-helm${major}`;
    await run(helm, [
      "install",
      release,
      chart,
      "--kubeconfig",
      info.kubeconfigPath,
      "--namespace",
      namespace,
      "--set",
      `helmMajor=${major}`,
      "--wait",
      "--timeout",
      "60s",
    ]);
    const cm = await core.readNamespacedConfigMap({ name: `${release}-smoke`, namespace });
    assert.equal(cm.data?.helmMajor, major);
    assert.match(cm.data?.kubeVersion ?? "", /^v1\.\d+\.\d+/);
    await run(helm, [
      "uninstall",
      release,
      "--kubeconfig",
      info.kubeconfigPath,
      "--namespace",
      namespace,
      "--wait",
    ]);
  }
});

test(
  "with cluster DNS, a pod resolves Service names",
  { skip: !clusterInfo().clusterDns ? "cluster DNS is off" : false },
  async () => {
    const script = [
      "const dns = require('dns').promises;",
      "Promise.all([dns.lookup('kubernetes.default.svc.cluster.local'), dns.lookup('kubernetes.default')])",
      "  .then((r) => console.log(JSON.stringify(r.map((a) => a.address))))",
      "  .catch((e) => { console.error(e.message); process.exit(1); });",
    ].join("\n");
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "dns-client" },
        spec: {
          restartPolicy: "Never",
          containers: [
            { name: "client", image: "kappa/node-base:20", imagePullPolicy: "Never", args: ["-e", script] },
          ],
        },
      },
    });
    const phase = await waitFor("pod dns-client to finish", async () => {
      const p = (await core.readNamespacedPod({ name: "dns-client", namespace })).status?.phase;
      return p === "Succeeded" || p === "Failed" ? p : undefined;
    });
    const log = await core.readNamespacedPodLog({ name: "dns-client", namespace });
    assert.equal(phase, "Succeeded", `pod log: ${log}`);
    const kubernetesIp = (await core.readNamespacedService({ name: "kubernetes", namespace: "default" })).spec
      ?.clusterIP;
    assert.deepEqual(JSON.parse(log.trim()), [kubernetesIp, kubernetesIp]);
  },
);
