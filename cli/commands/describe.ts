// `kappa describe <fn>`: one function in full: its spec, where it answers, what triggers it, its status.
import type { Command } from "commander";
import type { StoredResource } from "../../api/store.js";
import { AdminClient } from "../admin-client.js";
import { contextOf, type CommandContext } from "../context.js";
import { CliError } from "../errors.js";
import { functionLogPath, readLastLines } from "../function-logs.js";
import { parseResourceId } from "../names.js";
import { conditionsOf } from "../resource-view.js";

export function registerDescribe(program: Command): void {
  program
    .command("describe")
    .argument("<function>", "name or namespace/name")
    .description("show a function's settings, URL, triggers, status and recent log lines")
    .addHelpText("after", "\nExamples:\n  kappa describe hello\n  kappa describe default/hello -o yaml")
    .action(async (target: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const id = parseResourceId(target);
      const state = context.dev();
      const admin = new AdminClient(state);
      const fn = await admin.get("Function", id.namespace, id.name);
      if (!fn)
        throw new CliError(`function ${id.namespace}/${id.name} is not loaded; \`kappa list\` shows what is`);
      const refersTo = (r: StoredResource, field: unknown) =>
        r.metadata.namespace === id.namespace && field === id.name;
      const routes = (await admin.list("Route", id.namespace)).filter((r) =>
        refersTo(r, (r.spec as { function?: { name?: string } }).function?.name),
      );
      const triggers = (await admin.list("QueueTrigger", id.namespace)).filter((r) =>
        refersTo(r, (r.spec as { function?: string }).function),
      );
      const schedules = (await admin.list("Schedule", id.namespace)).filter((r) =>
        refersTo(r, (r.spec as { function?: string }).function),
      );
      const url = `${state.httpUrl}/function/${id.namespace}/${id.name}`;
      const logPath = functionLogPath(state.logsDir, id.namespace, id.name);
      await context.emit(
        { function: fn, url, routes, queueTriggers: triggers, schedules, logFile: logPath },
        () => renderDescribe(context, fn, url, routes, triggers, schedules, readLastLines(logPath, 10)),
      );
    });
}

function renderDescribe(
  context: CommandContext,
  fn: StoredResource,
  url: string,
  routes: StoredResource[],
  triggers: StoredResource[],
  schedules: StoredResource[],
  logLines: string[],
): string {
  const s = fn.spec as Record<string, unknown> & {
    code?: Record<string, unknown>;
    async?: { onFailure?: { queue?: string } };
  };
  const status = (fn.status ?? {}) as Record<string, unknown>;
  const b = context.out.bold;
  const field = (label: string, value: unknown) =>
    value === undefined
      ? ""
      : `${b(label.padEnd(14))} ${typeof value === "string" ? value : JSON.stringify(value)}\n`;
  let text = "";
  text += field("Name:", `${fn.metadata.namespace}/${fn.metadata.name}`);
  text += field("File:", fn.metadata.annotations?.["kappa.dev/source-file"]);
  text += field("URL:", url);
  text += field("Runtime:", s.runtime);
  text += field("Handler:", s.handler);
  text += field(
    "Code:",
    s.code
      ? Object.keys(s.code)
          .map((k) => (k === "inline" ? "inline" : `${k}: ${JSON.stringify(s.code![k])}`))
          .join(", ")
      : undefined,
  );
  text += field("Code sha256:", status.codeSha256 ?? fn.metadata.annotations?.["kappa.dev/code-sha256"]);
  text += field("Memory:", `${String(s.memoryMiB ?? 128)} MiB`);
  text += field("Timeout:", `${String(s.timeoutSeconds ?? 30)} s`);
  text += field("Concurrency:", s.concurrency);
  text += field("Scaling:", s.scaling);
  text += field("Async:", s.async);
  text += field("Env:", s.env ? Object.keys(s.env as object).join(", ") : undefined);
  text += field(
    "Instances:",
    `${String(status.readyInstances ?? 0)} ready of ${String(status.instances ?? 0)}`,
  );
  const conditions = conditionsOf(fn);
  text += `${b("Conditions:")}${conditions.length ? "" : context.out.dim(" none reported yet")}\n`;
  for (const c of conditions)
    text += `  ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}\n`;
  if (routes.length) {
    text += `${b("Routes:")}\n`;
    for (const r of routes) {
      const rs = r.spec as { path?: string; methods?: string[] };
      text += `  ${(rs.methods ?? ["ANY"]).join(",")} ${rs.path}  (${r.metadata.name})\n`;
    }
  }
  for (const t of triggers)
    text += `${b("Queue trigger:")} ${(t.spec as { queue: string }).queue} (${t.metadata.name})\n`;
  for (const sc of schedules)
    text += `${b("Schedule:")}      ${(sc.spec as { expression: string }).expression} (${sc.metadata.name})\n`;
  text += `${b("Recent logs:")}${logLines.length ? "" : context.out.dim(" none yet")}\n`;
  for (const line of logLines) text += `  ${line}\n`;
  return text;
}
