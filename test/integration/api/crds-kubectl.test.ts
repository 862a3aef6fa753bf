// The shipped CRDs on a real kube-apiserver, through kubectl as a user would: they install and become
// Established, good manifests apply and come back defaulted, bad ones are refused (server-side dry run) unless
// marked "# cluster: accepted", and the short names, category and printer columns work.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { startKubeApiserver, type TestKubeApiserver } from "../../support/kube-apiserver.js";
import { yamlFiles } from "../../unit/api/manifest-fixtures.js";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const FIXTURES = join(root, "test/fixtures/manifests");
const kubectlPath = execFileSync(
  "bash",
  ["-c", `source ${join(root, "test/cluster/versions.sh")}; echo "$KAPPA_K8S_BIN"`],
  {
    encoding: "utf8",
  },
).trim();
const KUBECTL = join(kubectlPath, "kubectl");
const available = existsSync(KUBECTL) && existsSync(join(kubectlPath, "kube-apiserver"));
const skip = !available && "kube-apiserver/kubectl not built (test/cluster/build-k8s.sh)";

let server: TestKubeApiserver | undefined;

async function kubectl(
  args: string[],
  input?: string,
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const child = execFileAsync(KUBECTL, ["--kubeconfig", server!.kubeconfigPath, ...args], {
    timeout: 60_000,
  });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
  }
}

before(async () => {
  if (!available) return;
  server = await startKubeApiserver();
  const applied = await kubectl(["apply", "-f", join(root, "charts/kappa/crds")]);
  assert.ok(applied.ok, applied.stderr);
  const established = await kubectl([
    "wait",
    "--for=condition=Established",
    "crd",
    "-l",
    "app.kubernetes.io/part-of=kappa",
    "--timeout=60s",
  ]);
  assert.ok(established.ok, established.stderr);
  for (const ns of ["shop", "team-a", "team-b"]) await kubectl(["create", "namespace", ns]);
});

after(async () => {
  await server?.stop();
});

test("the good manifests apply and come back with defaults", { skip }, async () => {
  for (const file of yamlFiles(join(FIXTURES, "good"))) {
    const text = readFileSync(file, "utf8");
    const result = await kubectl(["apply", "-f", file]);
    if (/^# cluster: rejected/m.test(text))
      assert.equal(result.ok, false, `${basename(file)} is marked rejected`);
    else assert.ok(result.ok, `${basename(file)}: ${result.stderr}`);
  }
  const worker = JSON.parse(
    (await kubectl(["get", "function", "worker", "-n", "shop", "-o", "json"])).stdout,
  );
  assert.equal(worker.spec.memoryMiB, 128);
  assert.equal(worker.spec.timeoutSeconds, 30);
  assert.deepEqual(worker.spec.scaling, { minInstances: 0, maxInstances: 10, idleSeconds: 300 });
  assert.deepEqual(worker.spec.async, { maxRetries: 2, maxEventAgeSeconds: 21600 });
  const route = JSON.parse((await kubectl(["get", "rt", "files", "-n", "shop", "-o", "json"])).stdout);
  assert.deepEqual(route.spec.methods, ["ANY"]);
  assert.deepEqual(route.spec.auth, { apiKeyRequired: false });
});

test("short names, the kappa category and printer columns work", { skip }, async () => {
  const fn = await kubectl(["get", "fn", "-n", "shop"]);
  assert.ok(fn.ok, fn.stderr);
  assert.match(fn.stdout.split("\n")[0]!, /NAME\s+RUNTIME\s+READY\s+INSTANCES\s+AGE/);
  assert.match(fn.stdout, /^hello\s+nodejs20/m);
  const all = await kubectl(["get", "kappa", "-n", "shop", "-o", "name"]);
  assert.ok(all.ok, all.stderr);
  for (const name of [
    "function.kappa.dev/hello",
    "queue.kappa.dev/orders",
    "schedule.kappa.dev/heartbeat",
    "runtimepool.kappa.dev/node20",
  ]) {
    assert.ok(all.stdout.includes(name), `${name} missing from kubectl get kappa`);
  }
  const q = await kubectl(["get", "q", "-n", "shop"]);
  assert.match(q.stdout, /^orders\s+true/m);
});

test("bad manifests are refused by kubectl apply unless marked accepted", { skip }, async () => {
  for (const file of yamlFiles(join(FIXTURES, "bad"))) {
    const text = readFileSync(file, "utf8");
    if (/^# cluster: accepted/m.test(text)) continue; // the validator's job; crds-apiserver.test.ts checks the mark
    const result = await kubectl(["apply", "--dry-run=server", "-f", file]);
    assert.equal(result.ok, false, `${basename(file)} was accepted by the API server`);
  }
});

test("a CEL rule's message reaches the user", { skip }, async () => {
  const result = await kubectl([
    "apply",
    "--dry-run=server",
    "-f",
    join(FIXTURES, "bad/function-min-above-max.yaml"),
  ]);
  assert.equal(result.ok, false);
  assert.match(result.stderr, /scaling\.minInstances must be <= scaling\.maxInstances/);
});
