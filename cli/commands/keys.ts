// `kappa keys ...`: API keys for routes with auth.apiKeyRequired. In local mode a key is two manifests in the
// dev folder (keys/<name>.yaml): a Secret holding the key and an ApiKey pointing at it; the gateway keeps only
// its sha256. The key is printed once, at creation.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { AdminClient } from "../admin-client.js";
import { contextOf } from "../context.js";
import { CliError } from "../errors.js";
import { parseResourceId } from "../names.js";
import { renderTable } from "../output/table.js";

export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("create, list and revoke API keys (x-api-key)")
    .addHelpText(
      "after",
      `
Examples:
  kappa keys create partner-a --plan basic     prints the key once; writes keys/partner-a.yaml
  kappa keys list
  kappa keys revoke partner-a
  curl -H "x-api-key: <key>" http://127.0.0.1:8080/<a route with apiKeyRequired>`,
    );

  keys
    .command("create")
    .argument("<name>", "name or namespace/name of the ApiKey")
    .option("--plan <usage-plan>", "UsagePlan that throttles this key")
    .option("--description <text>", "what the key is for")
    .description("create an API key and print it (once)")
    .action(async (target: string, o: { plan?: string; description?: string }, command: Command) => {
      const context = contextOf(command);
      const id = parseResourceId(target, "key");
      const state = context.dev();
      const admin = new AdminClient(state);
      if (await admin.get("ApiKey", id.namespace, id.name))
        throw new CliError(`ApiKey ${id.namespace}/${id.name} exists; revoke it first or pick another name`);
      if (o.plan && !(await admin.get("UsagePlan", id.namespace, o.plan))) {
        throw new CliError(
          `UsagePlan ${id.namespace}/${o.plan} is not loaded; \`kappa list usageplans\` shows the plans`,
        );
      }
      const { stringify } = await import("yaml");
      const { API_VERSION } = await import("../../api/resources/common.js");
      const key = randomBytes(30).toString("base64url");
      const secretName = `${id.name}-api-key`;
      const secret = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: secretName, namespace: id.namespace },
        stringData: { apiKey: key },
      };
      const apiKey = {
        apiVersion: API_VERSION,
        kind: "ApiKey",
        metadata: { name: id.name, namespace: id.namespace },
        spec: {
          secretRef: { name: secretName, key: "apiKey" },
          ...(o.plan ? { usagePlan: o.plan } : {}),
          enabled: true,
          ...(o.description ? { description: o.description } : {}),
        },
      };
      const dir = join(state.dir, "keys");
      const file = join(dir, `${id.namespace === "default" ? "" : id.namespace + "-"}${id.name}.yaml`);
      if (existsSync(file)) throw new CliError(`${file} exists; remove it or pick another name`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        file,
        `# API key ${id.name}: created by \`kappa keys create\`. Keep this file out of version control.\n${stringify(secret)}---\n${stringify(apiKey)}`,
        { mode: 0o600 },
      );
      const result = await admin.reload();
      const problems = result.problems.filter((p) => p.file.startsWith("keys"));
      if (problems.length)
        throw new CliError(`the platform rejected the key: ${problems.map((p) => p.message).join("; ")}`);
      await context.emit(
        { name: `${id.namespace}/${id.name}`, apiKey: key, file },
        () =>
          `${context.out.ok(`created API key ${id.namespace}/${id.name}`)}${o.plan ? ` (plan ${o.plan})` : ""}\n${context.out.bold(key)}\n${context.out.dim("send it as the x-api-key header; it is shown only now")}\n`,
      );
    });

  keys
    .command("list")
    .option("-n, --namespace <ns>", "only this namespace")
    .description("list API keys (never their values)")
    .action(async (o: { namespace?: string }, command: Command) => {
      const context = contextOf(command);
      const items = await new AdminClient(context.dev()).list("ApiKey", o.namespace);
      const rows = items.map((k) => {
        const s = k.spec as { enabled?: boolean; usagePlan?: string; description?: string };
        return {
          name: `${k.metadata.namespace}/${k.metadata.name}`,
          enabled: s.enabled !== false,
          usagePlan: s.usagePlan ?? null,
          description: s.description ?? null,
        };
      });
      await context.emit({ keys: rows }, () =>
        rows.length === 0
          ? context.out.dim("no API keys\n")
          : renderTable(
              ["name", "enabled", "usage plan", "description"],
              rows.map((r) => [r.name, String(r.enabled), r.usagePlan ?? "-", r.description ?? ""]),
              context.out,
            ),
      );
    });

  keys
    .command("revoke")
    .argument("<name>", "name or namespace/name of the ApiKey")
    .description("revoke an API key: removes the ApiKey and its Secret from the folder")
    .action(async (target: string, _o: unknown, command: Command) => {
      const context = contextOf(command);
      const id = parseResourceId(target, "key");
      const state = context.dev();
      const admin = new AdminClient(state);
      const found = await admin.get("ApiKey", id.namespace, id.name);
      if (!found)
        throw new CliError(
          `ApiKey ${id.namespace}/${id.name} is not loaded; \`kappa keys list\` shows the keys`,
        );
      const file = found.metadata.annotations?.["kappa.dev/source-file"];
      if (!file)
        throw new CliError(`ApiKey ${id.namespace}/${id.name} has no source file; remove it by hand`);
      const path = join(state.dir, file);
      const { removeDocument } = await import("../manifest-edit.js");
      removeDocument(path, { kind: "ApiKey", ...id });
      const secretName = (found.spec as { secretRef?: { name?: string } }).secretRef?.name;
      const secret = secretName ? await admin.get("Secret", id.namespace, secretName) : undefined;
      if (
        secret &&
        secretName &&
        existsSync(join(state.dir, secret.metadata.annotations?.["kappa.dev/source-file"] ?? ""))
      ) {
        removeDocument(join(state.dir, secret.metadata.annotations!["kappa.dev/source-file"]!), {
          kind: "Secret",
          namespace: id.namespace,
          name: secretName,
        });
      }
      await admin.reload();
      if (await admin.get("ApiKey", id.namespace, id.name))
        throw new CliError(`ApiKey ${id.namespace}/${id.name} is still loaded; check ${file}`);
      await context.emit({ revoked: `${id.namespace}/${id.name}` }, () =>
        context.out.ok(`revoked ${id.namespace}/${id.name}\n`),
      );
    });
}
