// Loads every *.yaml / *.yml under a folder (recursively) into resources for the local store. Each document is
// validated on its own: a bad one becomes a problem that names its file, resource and field, and the good ones
// still load. Local-mode extras are resolved here: `code.path` (relative to the manifest) becomes an absolute
// folder plus a code hash, and a Secret's stringData becomes base64 data as the API server would store it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { StoredResource } from "../../api/store.js";
import { hashCodeDir } from "./code-hash.js";

export interface ManifestProblem {
  /** path relative to the folder */
  file: string;
  /** Kind/namespace/name when the document got that far */
  resource?: string;
  /** the field path, e.g. spec.memoryMiB */
  field?: string;
  message: string;
  /** a warning leaves the resource loaded (e.g. a reference to something not in the folder yet) */
  severity?: "warning";
}

export interface LoadedResource {
  resource: StoredResource;
  file: string;
}

export interface FolderLoad {
  resources: LoadedResource[];
  problems: ManifestProblem[];
  /** code folders the functions use (absolute), so the watcher can watch those outside the folder too */
  codeDirs: string[];
}

export type DocumentCheck =
  { ok: true; resource: StoredResource } | { ok: false; errors: { field?: string; message: string }[] };

/** Validates one parsed document (already with local-mode extras resolved) and fills defaults. */
export type ValidateDocument = (document: StoredResource) => DocumentCheck;

export const ANNOTATIONS = {
  sourceFile: "kappa.dev/source-file",
  codeSha256: "kappa.dev/code-sha256",
  codeDir: "kappa.dev/code-dir",
} as const;

const SKIPPED_DIRS = new Set(["node_modules", ".git", "__pycache__", ".venv", "venv"]);

export function findManifestFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIPPED_DIRS.has(name) || name.startsWith(".")) continue;
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && /\.ya?ml$/i.test(name)) out.push(path);
    }
  };
  walk(root);
  return out;
}

export const resourceLabel = (r: {
  kind?: unknown;
  metadata?: { namespace?: unknown; name?: unknown };
}): string =>
  `${String(r.kind ?? "?")}/${String(r.metadata?.namespace ?? "default")}/${String(r.metadata?.name ?? "?")}`;

export function loadManifestFolder(root: string, validate: ValidateDocument): FolderLoad {
  const absoluteRoot = resolve(root);
  return loadManifestFiles(absoluteRoot, findManifestFiles(absoluteRoot), validate);
}

/** Loads the given files; problems name each file relative to `root`. */
export function loadManifestFiles(root: string, paths: string[], validate: ValidateDocument): FolderLoad {
  const absoluteRoot = resolve(root);
  const load: FolderLoad = { resources: [], problems: [], codeDirs: [] };
  const seen = new Map<string, string>();
  for (const path of paths) {
    const file = relative(absoluteRoot, path);
    for (const loaded of loadManifestFile(path, file, validate, load.problems)) {
      const key = resourceLabel(loaded.resource);
      const earlier = seen.get(key);
      if (earlier) {
        load.problems.push({ file, resource: key, message: `defined twice: also in ${earlier}; keep one` });
        continue;
      }
      seen.set(key, file);
      load.resources.push(loaded);
      const codeDir = loaded.resource.metadata.annotations?.[ANNOTATIONS.codeDir];
      if (codeDir) load.codeDirs.push(codeDir);
    }
  }
  return load;
}

function loadManifestFile(
  path: string,
  file: string,
  validate: ValidateDocument,
  problems: ManifestProblem[],
): LoadedResource[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    problems.push({ file, message: `cannot read: ${(error as Error).message}` });
    return [];
  }
  const out: LoadedResource[] = [];
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    const where = list.length > 1 ? `${file} (document ${index + 1})` : file;
    if (document.errors.length > 0) {
      const first = document.errors[0]!;
      const line = first.linePos?.[0] ? ` at line ${first.linePos[0].line}` : "";
      problems.push({ file: where, message: `not valid YAML${line}: ${first.message.split("\n")[0]}` });
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const shaped = checkEnvelope(value);
    if (typeof shaped === "string") {
      problems.push({ file: where, message: shaped });
      return;
    }
    const label = resourceLabel(shaped);
    const prepared = prepareLocalExtras(shaped, dirname(path));
    if (typeof prepared === "string") {
      problems.push({ file: where, resource: label, field: "spec.code.path", message: prepared });
      return;
    }
    const checked = validate(prepared);
    if (!checked.ok) {
      for (const error of checked.errors)
        problems.push({ file: where, resource: label, field: error.field, message: error.message });
      return;
    }
    const resource = checked.resource;
    resource.metadata.annotations = {
      ...resource.metadata.annotations,
      ...prepared.metadata.annotations,
      [ANNOTATIONS.sourceFile]: file,
    };
    const codeDir = resource.metadata.annotations[ANNOTATIONS.codeDir];
    // Consumers (the controller) get an absolute folder: they cannot know which manifest it was relative to.
    if (codeDir) (resource.spec as { code: { path?: string } }).code.path = codeDir;
    out.push({ resource, file });
  });
  return out;
}

/** The Kubernetes envelope every document needs before the schema can say anything useful. */
function checkEnvelope(value: unknown): StoredResource | string {
  if (typeof value !== "object" || Array.isArray(value))
    return "not a Kubernetes manifest: expected a mapping with apiVersion, kind and metadata";
  const doc = value as Record<string, unknown>;
  if (typeof doc.apiVersion !== "string")
    return "apiVersion is missing: use apiVersion: kappa.dev/v1alpha1 (or v1 for Secret and ConfigMap)";
  if (typeof doc.kind !== "string") return "kind is missing: e.g. kind: Function";
  const metadata = doc.metadata as Record<string, unknown> | undefined;
  if (
    !metadata ||
    typeof metadata !== "object" ||
    typeof metadata.name !== "string" ||
    metadata.name === ""
  ) {
    return `${doc.kind}: metadata.name is missing: every resource needs a name`;
  }
  if (metadata.namespace === undefined) metadata.namespace = "default";
  return doc as unknown as StoredResource;
}

/** Resolves code.path against the manifest's folder and records the folder and its hash as annotations. */
function prepareLocalExtras(resource: StoredResource, manifestDir: string): StoredResource | string {
  const prepared = structuredClone(resource);
  if (prepared.kind === "Secret" && prepared.stringData) {
    const data = { ...prepared.data };
    for (const [key, text] of Object.entries(prepared.stringData))
      data[key] = Buffer.from(String(text)).toString("base64");
    prepared.data = data;
    delete prepared.stringData;
  }
  if (prepared.kind !== "Function") return prepared;
  const code = (prepared.spec as { code?: { path?: unknown } } | undefined)?.code;
  if (!code || code.path === undefined) return prepared;
  if (typeof code.path !== "string" || code.path === "")
    return "code.path must be a folder relative to the manifest, e.g. ./hello";
  const dir = resolve(manifestDir, code.path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return `code.path ${code.path} does not exist (looked for ${dir}); create it or fix the path`;
  }
  if (!isDir)
    return `code.path ${code.path} is not a folder (${dir}); point it at the folder that holds the handler file`;
  let sha: string;
  try {
    sha = hashCodeDir(dir);
  } catch (error) {
    return (error as Error).message;
  }
  prepared.metadata.annotations = {
    ...prepared.metadata.annotations,
    [ANNOTATIONS.codeDir]: dir,
    [ANNOTATIONS.codeSha256]: sha,
  };
  return prepared;
}
