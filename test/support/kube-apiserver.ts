// A real etcd + kube-apiserver for integration tests (no kubelet, no scheduler): test/cluster/apiserver-up.sh on
// free 127.0.0.1 ports with an admin kubeconfig. One per test file is the intended use (start takes a few seconds).
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";

const execFileAsync = promisify(execFile);
const scripts = join(dirname(fileURLToPath(import.meta.url)), "..", "cluster");

export interface StartKubeApiserverOptions {
  /**
   * Also run kube-controller-manager with the namespace, service-account and garbage-collector controllers, so
   * namespaces finish deleting, ownerReference cascades happen and the default ServiceAccount exists. Default false.
   */
  controllers?: boolean;
}

export interface TestKubeApiserver {
  url: string;
  kubeconfigPath: string;
  kubeConfig: k8s.KubeConfig;
  /** Stops etcd and kube-apiserver (by pid) and removes their state. */
  stop(): Promise<void>;
}

export async function startKubeApiserver(
  options: StartKubeApiserverOptions = {},
): Promise<TestKubeApiserver> {
  let stdout = "";
  // Two attempts: the free ports are picked before the daemons bind them, so a parallel run can take one first.
  for (let attempt = 1; ; attempt++) {
    try {
      ({ stdout } = await execFileAsync("bash", [join(scripts, "apiserver-up.sh")], {
        env: { ...process.env, KAPPA_APISERVER_CONTROLLERS: options.controllers ? "1" : "0" },
      }));
      break;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      const missing = e.stderr?.includes("is missing") || e.stderr?.includes("not installed");
      if (attempt < 2 && !missing) continue;
      throw new Error(`could not start a kube-apiserver: ${e.stderr?.trim() || e.message}`);
    }
  }
  const vars = Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const dir = vars.KAPPA_APISERVER_DIR;
  const kubeconfigPath = vars.KUBECONFIG;
  const url = vars.KAPPA_APISERVER_URL;
  if (!dir || !kubeconfigPath || !url) throw new Error(`apiserver-up.sh printed no state: ${stdout}`);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  let stopped = false;
  return {
    url,
    kubeconfigPath,
    kubeConfig,
    async stop() {
      if (stopped) return;
      stopped = true;
      await execFileAsync("bash", [join(scripts, "apiserver-down.sh"), dir]);
    },
  };
}
