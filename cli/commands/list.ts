// `kappa list [kind]`: what the local platform has loaded, with each function's state and URL.
import type { Command } from "commander";
import type { StoredResource } from "../../api/store.js";
import { AdminClient } from "../admin-client.js";
import { contextOf, type CommandContext } from "../context.js";
import { parseKind } from "../names.js";
import { renderTable } from "../output/table.js";
import { readyOf } from "../resource-view.js";

export function registerList(program: Command): void {
  program
    .command("list")
    .alias("ls")
    .argument(
      "[kind]",
      "functions (default), routes, queues, queuetriggers, schedules, apikeys, usageplans, authorizers, secrets, configmaps",
    )
    .option("-n, --namespace <ns>", "only this namespace")
    .description("list functions (or another kind) of the running platform")
    .addHelpText(
      "after",
      `
Examples:
  kappa list                 functions, their state and URL
  kappa list queues
  kappa list -o json         for scripts`,
    )
    .action(async (kindText: string | undefined, options: { namespace?: string }, command: Command) => {
      const context = contextOf(command);
      const kind = await parseKind(kindText ?? "functions");
      const state = context.dev();
      const items = await new AdminClient(state).list(kind, options.namespace);
      await context.emit({ kind, items }, () => renderList(context, kind, items, state.httpUrl));
    });
}

function renderList(context: CommandContext, kind: string, items: StoredResource[], httpUrl: string): string {
  if (items.length === 0) return context.out.dim(`no ${kind} resources loaded\n`);
  const name = (r: StoredResource) => `${r.metadata.namespace}/${r.metadata.name}`;
  const spec = (r: StoredResource) => (r.spec ?? {}) as Record<string, unknown>;
  const readyCell = (r: StoredResource) => {
    const ready = readyOf(r);
    return ready === "True"
      ? context.out.ok("True")
      : ready === "False"
        ? context.out.error("False")
        : context.out.dim(ready);
  };
  if (kind === "Function") {
    const rows = items.map((r) => {
      const status = (r.status ?? {}) as { readyInstances?: number; instances?: number };
      return [
        name(r),
        String(spec(r).runtime),
        readyCell(r),
        `${status.readyInstances ?? 0}/${status.instances ?? 0}`,
        `${httpUrl}/function/${r.metadata.namespace}/${r.metadata.name}`,
      ];
    });
    return renderTable(["name", "runtime", "ready", "instances", "url"], rows, context.out);
  }
  const source = (r: StoredResource) => r.metadata.annotations?.["kappa.dev/source-file"] ?? "";
  if (kind === "Route") {
    const rows = items.map((r) => {
      const s = spec(r);
      return [
        name(r),
        ((s.methods as string[] | undefined) ?? ["ANY"]).join(","),
        String(s.path),
        String((s.function as { name?: string })?.name),
        source(r),
      ];
    });
    return renderTable(["name", "methods", "path", "function", "file"], rows, context.out);
  }
  if (kind === "Queue") {
    const rows = items.map((r) => [
      name(r),
      String(spec(r).queueName ?? r.metadata.name),
      String(spec(r).fifo ?? false),
      source(r),
    ]);
    return renderTable(["name", "sqs name", "fifo", "file"], rows, context.out);
  }
  return renderTable(
    ["name", "ready", "file"],
    items.map((r) => [name(r), readyCell(r), source(r)]),
    context.out,
  );
}
