// `kappa deploy <dir|manifest>`: validate here, then put it into the folder `kappa dev` serves (a folder is
// copied in whole; a single manifest is copied with its code.path made absolute, so it keeps pointing at its
// code), ask the platform to reload now, and wait until each deployed function is Ready.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import type { Command } from "commander";
import { AdminClient } from "../admin-client.js";
import { contextOf, type CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatProblem } from "../dev/banner.js";
import type { DevState } from "../dev/state-file.js";
import { readyOf } from "../resource-view.js";

interface DeployOptions {
  wait: string;
  dryRun?: boolean;
}

export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .argument("<path>", "a folder of manifests (with its code) or one manifest file")
    .option("--wait <seconds>", "how long to wait for the functions to be Ready (0 = do not wait)", "60")
    .option("--dry-run", "only validate; change nothing")
    .description("validate manifests and deploy them to the running local platform")
    .addHelpText(
      "after",
      `
Examples:
  kappa deploy ./my-function            copies the folder into the dev folder and waits until Ready
  kappa deploy ./my-function/fn.yaml    one manifest; its code.path keeps pointing at ./my-function
  kappa deploy ./my-function --dry-run  validation only (exit 1 on problems)`,
    )
    .action(async (path: string, options: DeployOptions, command: Command) =>
      runDeploy(contextOf(command), path, options),
    );
}

async function runDeploy(context: CommandContext, path: string, options: DeployOptions): Promise<void> {
  const source = resolve(path);
  if (!existsSync(source))
    throw new UsageError(`${path} does not exist; give a folder of manifests or a .yaml file`);
  const wait = Number(options.wait);
  if (!Number.isFinite(wait) || wait < 0)
    throw new UsageError(`--wait must be a number of seconds (got "${options.wait}")`);
  const { findManifestFiles, loadManifestFiles, resourceLabel } = await import("../dev/manifest-loader.js");
  const { validateDocument } = await import("../dev/validate-document.js");
  const isDir = statSync(source).isDirectory();
  const root = isDir ? source : dirname(source);
  const files = isDir ? findManifestFiles(source) : [source];
  if (files.length === 0) throw new CliError(`no *.yaml or *.yml manifests under ${path}`);
  const load = loadManifestFiles(root, files, validateDocument);
  if (load.problems.length > 0) {
    for (const p of load.problems) context.note(context.err.error("invalid: ") + formatProblem(p));
    throw new CliError(`${load.problems.length} problem(s) in ${path}; nothing was deployed`);
  }
  const labels = load.resources.map((r) => resourceLabel(r.resource));
  if (options.dryRun) {
    await context.emit({ valid: labels }, () => context.out.ok(`valid: ${labels.join(", ")}\n`));
    return;
  }
  const state = context.dev();
  const placed = await place(state, source, isDir);
  context.note(context.err.dim(`copied into ${placed}; reloading...`));
  const admin = new AdminClient(state);
  const result = await admin.reload();
  const ours = result.problems
    .filter((p) => p.severity !== "warning")
    .filter((p) => resolve(state.dir, p.file.replace(/ \(document \d+\)$/, "")).startsWith(placed));
  if (ours.length > 0) {
    for (const p of ours) context.note(context.err.error("invalid: ") + formatProblem(p));
    throw new CliError(`the platform rejected ${ours.length} resource(s) from ${path}`);
  }
  const functions = load.resources
    .filter((r) => r.resource.kind === "Function")
    .map((r) => r.resource.metadata);
  const ready = wait > 0 ? await waitForReady(context, admin, functions, wait * 1000) : [];
  const urls = functions.map((f) => `${state.httpUrl}/function/${f.namespace}/${f.name}`);
  await context.emit({ deployed: labels, placedAt: placed, functions: urls, ready }, () => {
    let text = labels.map((l) => context.out.ok(`deployed ${l}`)).join("\n") + "\n";
    for (const url of urls) text += `  ${context.out.link(url)}\n`;
    return text;
  });
}

/** Puts the deployment into the dev folder; returns where (absolute). */
async function place(state: DevState, source: string, isDir: boolean): Promise<string> {
  const devDir = state.dir;
  if (source === devDir || source.startsWith(devDir + sep)) return source; // already served: a reload is enough
  if (!isDir) {
    const target = join(devDir, basename(source));
    writeFileSync(target, await withAbsoluteCodePaths(source));
    return target;
  }
  const target = join(devDir, basename(source));
  // Copy next to the target under a dot-name (the loader skips those), then swap it in with renames, so the
  // watcher never loads half a copy.
  const staging = join(devDir, `.deploying-${basename(source)}-${process.pid}`);
  const trash = join(devDir, `.replaced-${basename(source)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(source, staging, { recursive: true, filter: (p) => !p.split(sep).includes(".git") });
  if (existsSync(target)) renameSync(target, trash);
  renameSync(staging, target);
  rmSync(trash, { recursive: true, force: true });
  return target;
}

/** The manifest's text with every Function's relative code.path replaced by the absolute folder. */
async function withAbsoluteCodePaths(file: string): Promise<string> {
  const { parseAllDocuments } = await import("yaml");
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  const list = Array.isArray(documents) ? documents : [documents];
  return list
    .map((doc) => {
      const path = doc.getIn(["spec", "code", "path"]);
      if (doc.get("kind") === "Function" && typeof path === "string")
        doc.setIn(["spec", "code", "path"], resolve(dirname(file), path));
      return String(doc).replace(/\n*$/, "\n");
    })
    .join("---\n");
}

async function waitForReady(
  context: CommandContext,
  admin: AdminClient,
  functions: { namespace: string; name: string }[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(functions.map((f) => [`${f.namespace}/${f.name}`, f]));
  const ready: string[] = [];
  while (pending.size > 0) {
    for (const [key, f] of [...pending]) {
      const fn = await admin.get("Function", f.namespace, f.name);
      if (fn && readyOf(fn) === "True") {
        pending.delete(key);
        ready.push(key);
        context.note(context.err.ok(`ready: ${key}`));
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      throw new CliError(
        `not Ready after ${timeoutMs / 1000} s: ${[...pending.keys()].join(", ")} (see \`kappa describe\` and \`kappa logs\`)`,
      );
    }
    context.note(context.err.dim(`waiting for ${[...pending.keys()].join(", ")} to be Ready...`));
    await new Promise((r) => setTimeout(r, 500));
  }
  return ready;
}
