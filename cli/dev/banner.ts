// What `kappa dev` tells the person who started it: where each function answers, the routes, the queues,
// the credentials for the AWS SDK, and afterwards what each reload changed or found wrong.
import { functionKey } from "../../api/instances.js";
import { routeGuardsFunction } from "../../api/resources/route.js";
import type { StoredResource } from "../../api/store.js";
import type { Style } from "../output/style.js";
import type { ManifestProblem } from "./manifest-loader.js";
import type { DevState } from "./state-file.js";
import type { SyncResult } from "./store-sync.js";

interface Listing {
  list(kind: string): StoredResource[];
}

const spec = (r: StoredResource) => (r.spec ?? {}) as Record<string, unknown>;
const nsName = (r: StoredResource) => `${r.metadata.namespace}/${r.metadata.name}`;

export function renderBanner(state: DevState, store: Listing, style: Style, displayDir: string): string {
  const lines: string[] = [];
  lines.push(style.bold(`Kappa is running in local mode`) + style.dim(` (folder ${displayDir})`));
  const functions = store.list("Function");
  lines.push("", style.bold("Functions"));
  if (functions.length === 0) lines.push(style.dim("  none yet: add a Function manifest to the folder"));
  const width = Math.max(0, ...functions.map((f) => nsName(f).length));
  const routes = store.list("Route");
  const guarded = new Set(
    routes
      .filter((route) => routeGuardsFunction(spec(route)))
      .map((route) => {
        const target = spec(route).function as { namespace?: string; name?: string } | undefined;
        return functionKey(target?.namespace ?? route.metadata.namespace, target?.name ?? "");
      }),
  );
  for (const fn of functions) {
    const where = guarded.has(nsName(fn))
      ? style.dim("through its Routes only (they guard it)")
      : style.link(`${state.httpUrl}/function/${fn.metadata.namespace}/${fn.metadata.name}`);
    lines.push(`  ${nsName(fn).padEnd(width)}  ${where}`);
  }
  if (routes.length > 0) {
    lines.push("", style.bold("Routes"));
    for (const route of routes) {
      const s = spec(route);
      const methods = Array.isArray(s.methods) ? (s.methods as string[]).join(",") : "ANY";
      const target = (s.function as { name?: string } | undefined)?.name ?? "?";
      const auth = s.auth as { apiKeyRequired?: boolean; authorizer?: string } | undefined;
      const guard = auth?.apiKeyRequired
        ? " (API key)"
        : auth?.authorizer
          ? ` (authorizer ${auth.authorizer})`
          : "";
      lines.push(
        `  ${methods.padEnd(6)} ${style.link(state.httpUrl + String(s.path ?? ""))} -> ${route.metadata.namespace}/${target}${guard}`,
      );
    }
  }
  const queues = store.list("Queue");
  if (queues.length > 0) {
    lines.push("", style.bold("Queues") + style.dim(" (SQS API on the API port)"));
    lines.push("  " + queues.map((q) => String(spec(q).queueName ?? q.metadata.name)).join(", "));
  }
  const schedules = store.list("Schedule");
  for (const schedule of schedules) {
    if (schedules.indexOf(schedule) === 0) lines.push("", style.bold("Schedules"));
    lines.push(
      `  ${nsName(schedule)}  ${String(spec(schedule).expression)} -> ${String(spec(schedule).function)}`,
    );
  }
  lines.push("", style.bold("AWS-compatible API") + ` (Lambda Invoke, SQS): ${style.link(state.apiUrl)}`);
  lines.push(
    `  access key ${style.bold(`${state.accessKeyId}:${state.secretAccessKey}`)}  region ${state.region}`,
  );
  lines.push(
    style.dim(
      `  export AWS_ACCESS_KEY_ID=${state.accessKeyId} AWS_SECRET_ACCESS_KEY=${state.secretAccessKey} AWS_REGION=${state.region} AWS_ENDPOINT_URL=${state.apiUrl}`,
    ),
  );
  if (state.metricsUrl) lines.push(style.dim(`  metrics: ${state.metricsUrl}`));
  lines.push(
    "",
    `Try: ${style.bold(`curl ${state.httpUrl}/function/default/hello`)}   or   ${style.bold("kappa invoke hello")}`,
  );
  lines.push(
    style.dim(`Watching ${displayDir} for changes. Logs: kappa logs <function> -f. Ctrl-C stops everything.`),
    "",
  );
  return lines.join("\n") + "\n";
}

export function renderProblems(problems: ManifestProblem[], style: Style): string {
  const errors = problems.filter((p) => p.severity !== "warning");
  const warnings = problems.filter((p) => p.severity === "warning");
  const lines: string[] = [];
  if (errors.length > 0) {
    const count = `${errors.length} manifest problem${errors.length === 1 ? "" : "s"}`;
    lines.push(style.error(`${count}, not loaded (everything else still loads):`));
    for (const p of errors) lines.push(`  ${formatProblem(p)}`);
  }
  if (warnings.length > 0) {
    lines.push(style.warn(`${warnings.length} warning${warnings.length === 1 ? "" : "s"} (loaded anyway):`));
    for (const p of warnings) lines.push(`  ${formatProblem(p)}`);
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

export function formatProblem(p: ManifestProblem): string {
  return [p.file, p.resource, p.field].filter(Boolean).join(": ") + ": " + p.message;
}

export function renderChanges(result: SyncResult, style: Style): string {
  const lines: string[] = [];
  for (const key of result.created) lines.push(style.ok(`+ deployed ${key}`));
  for (const key of result.updated) lines.push(style.ok(`~ redeployed ${key}`));
  for (const key of result.deleted) lines.push(style.warn(`- removed ${key}`));
  return lines.length ? lines.join("\n") + "\n" : "";
}
