// test/support/kube-apiserver.ts starts a real etcd + kube-apiserver that stores objects, enforces schemas and
// stops cleanly.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { startKubeApiserver } from "../../support/kube-apiserver.js";

test("a real kube-apiserver stores and validates objects, and stops", async () => {
  const server = await startKubeApiserver();
  try {
    const core = server.kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "probe" }, data: { answer: "42" } },
    });
    const read = await core.readNamespacedConfigMap({ name: "probe", namespace: "default" });
    assert.equal(read.data?.answer, "42");
    await assert.rejects(
      core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "Not_A_Name" } } }),
      (error: { code?: number }) => error.code === 422,
    );
  } finally {
    await server.stop();
  }
  assert.equal(existsSync(server.kubeconfigPath), false, "state removed");
  await assert.rejects(fetch(server.url, { signal: AbortSignal.timeout(2_000) }));
});

test("with controllers, the default service account appears and namespaces finish deleting", async () => {
  const server = await startKubeApiserver({ controllers: true });
  try {
    const core = server.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const sa = await core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
    assert.equal(sa.metadata?.name, "default");
    await core.createNamespace({ body: { metadata: { name: "doomed" } } });
    await core.deleteNamespace({ name: "doomed" });
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = await core.readNamespace({ name: "doomed" }).then(
        () => false,
        (error: { code?: number }) => error.code === 404,
      );
      if (!gone) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(gone, "namespace deleted by the namespace controller");
  } finally {
    await server.stop();
  }
});
