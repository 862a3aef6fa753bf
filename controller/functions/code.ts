// Turns a Function's `code` into what the agent loads (api/agent.ts AgentCode) plus its sha256. Inline files and
// ConfigMaps travel as base64 files; a local `code.path` folder is handed over as a directory (the instance runs
// on the same machine). `url` and `image` need an image-aware backend and are refused with a clear reason.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { AgentCode } from "../../api/agent.js";
import type { ResourceStore, StoredResource } from "../../api/store.js";
import { RetryError, TerminalError } from "../errors.js";
import type { FunctionConfig } from "./function-config.js";

export interface ResolvedCode {
  code: AgentCode;
  codeSha256: string;
}

/** A missing ConfigMap may be applied a moment later (kubectl apply -f dir/): look again soon. */
const MISSING_CONFIGMAP_RETRY_MS = 5_000;
/** Bounds a code folder walk so a mistaken `path: /` fails clearly instead of hashing a disk. */
const MAX_CODE_FILES = 20_000;
/** Folders whose contents are fingerprinted by size and mtime only: hashing node_modules on every change is too slow. */
const FINGERPRINT_ONLY = new Set(["node_modules", ".git", "__pycache__", ".venv"]);

export function resolveCode(fn: FunctionConfig, store: ResourceStore): ResolvedCode {
  const where = `Function ${fn.namespace}/${fn.name}`;
  const { code } = fn;
  if (code.inline)
    return fromFiles(new Map(Object.entries(code.inline).map(([k, v]) => [k, Buffer.from(v, "utf8")])));
  if (code.configMap) {
    const configMap = store.get<StoredResource & { binaryData?: Record<string, string> }>(
      "ConfigMap",
      fn.namespace,
      code.configMap.name,
    );
    if (!configMap) {
      throw new RetryError(
        `${where}: spec.code.configMap ${fn.namespace}/${code.configMap.name} does not exist; create it or fix the name`,
        MISSING_CONFIGMAP_RETRY_MS,
      );
    }
    const files = new Map<string, Buffer>();
    for (const [k, v] of Object.entries(configMap.data ?? {})) files.set(k, Buffer.from(v, "utf8"));
    for (const [k, v] of Object.entries(configMap.binaryData ?? {})) files.set(k, Buffer.from(v, "base64"));
    if (files.size === 0)
      throw new TerminalError("EmptyCode", `${where}: ConfigMap ${code.configMap.name} has no keys`);
    return fromFiles(files);
  }
  if (code.path) {
    const base = fn.manifestDir ?? process.cwd();
    const dir = isAbsolute(code.path) ? code.path : resolve(base, code.path);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) {
      throw new RetryError(
        `${where}: spec.code.path ${dir} is not a folder; point it at the function's code folder`,
      );
    }
    return { code: { dir }, codeSha256: hashFolder(dir, where) };
  }
  if (code.url) {
    throw new TerminalError(
      "UnsupportedCode",
      `${where}: spec.code.url is not supported in local mode yet; use inline, configMap or path`,
    );
  }
  if (code.image) {
    throw new TerminalError(
      "UnsupportedCode",
      `${where}: spec.code.image needs the Kubernetes backend; use code.path in local mode`,
    );
  }
  throw new TerminalError(
    "InvalidSpec",
    `${where}: spec.code must set one of inline, configMap, path, url, image`,
  );
}

function fromFiles(files: Map<string, Buffer>): ResolvedCode {
  const hash = createHash("sha256");
  const out: Record<string, string> = {};
  for (const name of [...files.keys()].sort()) {
    const content = files.get(name)!;
    hash.update(`${name}\0${content.length}\0`).update(content);
    out[name] = content.toString("base64");
  }
  return { code: { files: out }, codeSha256: hash.digest("hex") };
}

function hashFolder(root: string, where: string): string {
  const hash = createHash("sha256");
  let count = 0;
  const walk = (dir: string, fingerprintOnly: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path, fingerprintOnly || FINGERPRINT_ONLY.has(entry.name));
        continue;
      }
      if (!entry.isFile()) continue;
      if (++count > MAX_CODE_FILES) {
        throw new TerminalError(
          "CodeTooLarge",
          `${where}: spec.code.path has more than ${MAX_CODE_FILES} files`,
        );
      }
      const rel = relative(root, path);
      if (fingerprintOnly) {
        const stat = statSync(path);
        hash.update(`${rel}\0${stat.size}\0${stat.mtimeMs}\0`);
      } else {
        const content = readFileSync(path);
        hash.update(`${rel}\0${content.length}\0`).update(content);
      }
    }
  };
  walk(root, false);
  return hash.digest("hex");
}
