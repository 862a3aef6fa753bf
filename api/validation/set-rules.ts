// Rules over a whole set of manifests (a `kappa dev` folder, or what `kappa deploy` sends): references resolve,
// nothing is defined twice, queue types agree.
import type { ManifestResource, ResourceByKind } from "../resources/resource-by-kind.js";
import { FIFO_MAX_BATCH_SIZE } from "../resources/queue-trigger.js";
import { sqsQueueName } from "../resources/queue.js";
import type { ValidationError } from "./issue.js";

export interface ManifestSetOptions {
  /**
   * A reference to a resource that is not in the set is an error (default true: a local folder must be complete).
   * Pass false when the set is a partial apply to a cluster that may already hold the rest.
   */
  requireReferences?: boolean;
}

type Origin = (resource: object) => { file?: string; document?: number } | undefined;

export function setRuleErrors(
  resources: ManifestResource[],
  options: ManifestSetOptions,
  originOf: Origin,
): ValidationError[] {
  const requireReferences = options.requireReferences ?? true;
  const errors: ValidationError[] = [];
  const index = new Map<string, ManifestResource>();
  const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
  const ns = (r: ManifestResource) => r.metadata.namespace ?? "default";
  const report = (r: ManifestResource, path: string, message: string) =>
    errors.push({ kind: r.kind, name: r.metadata.name, namespace: ns(r), ...originOf(r), path, message });
  /** reports a missing reference; returns the target when present */
  const ref = <K extends keyof ResourceByKind | "Secret" | "ConfigMap">(
    from: ManifestResource,
    path: string,
    kind: K,
    name: string,
    namespace = ns(from),
  ) => {
    const target = index.get(key(kind, namespace, name));
    if (!target && requireReferences)
      report(from, path, `refers to ${kind} ${namespace}/${name}, which is not among the manifests`);
    return target;
  };

  for (const r of resources) {
    const k = key(r.kind, ns(r), r.metadata.name);
    const first = index.get(k);
    if (first) {
      const where = originOf(first)?.file;
      report(
        r,
        "metadata.name",
        `is defined twice${where ? ` (first in ${where})` : ""}; names are unique per kind and namespace`,
      );
    } else index.set(k, r);
  }

  const sqsNames = new Map<string, string>();
  for (const r of resources) {
    switch (r.kind) {
      case "Function":
        if (r.spec.code.configMap)
          ref(r, "spec.code.configMap.name", "ConfigMap", r.spec.code.configMap.name);
        if (r.spec.async.onFailure)
          ref(r, "spec.async.onFailure.queue", "Queue", r.spec.async.onFailure.queue);
        if (r.spec.async.onSuccess)
          ref(r, "spec.async.onSuccess.queue", "Queue", r.spec.async.onSuccess.queue);
        break;
      case "Route":
        ref(r, "spec.function.name", "Function", r.spec.function.name, r.spec.function.namespace ?? ns(r));
        if (r.spec.auth.authorizer) ref(r, "spec.auth.authorizer", "Authorizer", r.spec.auth.authorizer);
        break;
      case "Authorizer":
        if (r.spec.function) ref(r, "spec.function.name", "Function", r.spec.function.name);
        break;
      case "ApiKey": {
        if (r.spec.usagePlan) ref(r, "spec.usagePlan", "UsagePlan", r.spec.usagePlan);
        const secret = ref(r, "spec.secretRef.name", "Secret", r.spec.secretRef.name);
        if (secret?.kind === "Secret") {
          const keys = [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})];
          if (!keys.includes(r.spec.secretRef.key)) {
            report(
              r,
              "spec.secretRef.key",
              `Secret ${secret.metadata.name} has no key "${r.spec.secretRef.key}" (keys: ${keys.join(", ") || "none"})`,
            );
          }
        }
        break;
      }
      case "UsagePlan":
        for (const [i, t] of (r.spec.routeThrottles ?? []).entries())
          ref(r, `spec.routeThrottles[${i}].route`, "Route", t.route);
        break;
      case "Queue": {
        // The SQS API is one account for the whole installation: queue names are unique across namespaces.
        const name = sqsQueueName(r);
        const owner = sqsNames.get(name);
        if (owner) report(r, "spec.queueName", `SQS name ${name} is already used by Queue ${owner}`);
        else sqsNames.set(name, `${ns(r)}/${r.metadata.name}`);
        const dlq =
          r.spec.redrivePolicy &&
          ref(r, "spec.redrivePolicy.deadLetterQueue", "Queue", r.spec.redrivePolicy.deadLetterQueue);
        if (dlq?.kind === "Queue" && dlq.spec.fifo !== r.spec.fifo) {
          const type = (fifo: boolean) => (fifo ? "FIFO" : "standard");
          report(
            r,
            "spec.redrivePolicy.deadLetterQueue",
            `must be a ${type(r.spec.fifo)} queue like this one; ${dlq.metadata.name} is ${type(dlq.spec.fifo)}`,
          );
        }
        break;
      }
      case "QueueTrigger": {
        ref(r, "spec.function", "Function", r.spec.function);
        const queue = ref(r, "spec.queue", "Queue", r.spec.queue);
        if (queue?.kind === "Queue" && queue.spec.fifo && r.spec.batchSize > FIFO_MAX_BATCH_SIZE) {
          report(
            r,
            "spec.batchSize",
            `must be at most ${FIFO_MAX_BATCH_SIZE} for FIFO queue ${queue.metadata.name} (got ${r.spec.batchSize})`,
          );
        }
        break;
      }
      case "Schedule":
        ref(r, "spec.function", "Function", r.spec.function);
        break;
    }
  }
  routeConflicts(
    resources.filter((r): r is ResourceByKind["Route"] => r.kind === "Route"),
    report,
  );
  return errors;
}

/** Two Routes that match the same requests at the same priority leave the winner to their names' order. */
function routeConflicts(
  routes: ResourceByKind["Route"][],
  report: (r: ManifestResource, path: string, message: string) => void,
): void {
  const seen = new Map<string, ResourceByKind["Route"]>();
  for (const route of routes) {
    const shape = route.spec.path
      .replace(/\{[^}]*\}/g, (p) => (p.endsWith("+}") ? "{+}" : "{}"))
      .replace(/\/$/, "");
    // a named method beats ANY in the gateway, so ANY is its own key here
    const methods = route.spec.methods;
    for (const method of methods) {
      const k = `${route.spec.host ?? ""} ${method} ${shape} ${route.spec.priority}`;
      const other = seen.get(k);
      if (other && other !== route) {
        report(
          route,
          "spec.path",
          `matches the same ${method} requests as Route ${other.metadata.namespace ?? "default"}/${other.metadata.name} at the same priority; change the path or spec.priority`,
        );
        break;
      }
      seen.set(k, route);
    }
  }
}
