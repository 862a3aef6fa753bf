// `kappa delete <fn>`: in local mode the folder is the truth, so deleting removes the resource's document
// from its manifest file (the file itself when it held nothing else); the code folder stays.
import { join } from "node:path";
import type { Command } from "commander";
import { AdminClient } from "../admin-client.js";
import { contextOf } from "../context.js";
import { CliError } from "../errors.js";
import { parseKind, parseResourceId } from "../names.js";

export function registerDelete(program: Command): void {
  program
    .command("delete")
    .argument("<name>", "name or namespace/name")
    .option(
      "-k, --kind <kind>",
      "what to delete: function (default), route, queue, schedule, ...",
      "function",
    )
    .description(
      "delete a function (or --kind ...) from the running platform by removing it from its manifest file",
    )
    .addHelpText("after", "\nExamples:\n  kappa delete hello\n  kappa delete nightly --kind schedule")
    .action(async (target: string, options: { kind: string }, command: Command) => {
      const context = contextOf(command);
      const kind = await parseKind(options.kind);
      const id = parseResourceId(target, kind);
      const state = context.dev();
      const admin = new AdminClient(state);
      const found = await admin.get(kind, id.namespace, id.name);
      if (!found)
        throw new CliError(
          `${kind} ${id.namespace}/${id.name} is not loaded; \`kappa list ${kind.toLowerCase()}s\` shows what is`,
        );
      const file = found.metadata.annotations?.["kappa.dev/source-file"];
      if (!file)
        throw new CliError(
          `${kind} ${id.namespace}/${id.name} has no source file; remove it from the folder by hand`,
        );
      const { removeDocument } = await import("../manifest-edit.js");
      const outcome = removeDocument(join(state.dir, file), { kind, ...id });
      if (outcome === "not-found")
        throw new CliError(
          `${file} no longer defines ${kind} ${id.namespace}/${id.name}; the platform is reloading it`,
        );
      const result = await admin.reload();
      const key = `${kind}/${id.namespace}/${id.name}`;
      const gone = !(await admin.get(kind, id.namespace, id.name));
      const summary = { deleted: key, file, fileRemoved: outcome === "removed-file", gone, reload: result };
      await context.emit(
        summary,
        () =>
          context.out.ok(`deleted ${key}`) +
          context.out.dim(` (${outcome === "removed-file" ? "removed" : "edited"} ${file})`) +
          "\n",
      );
      if (!gone) throw new CliError(`${key} is still loaded after the reload; check ${file}`);
    });
}
