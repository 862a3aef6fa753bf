// The validator: one manifest, a YAML file of them, or a whole set with references checked. Built from the same
// schemas as the CRDs, plus the rules CEL would check in a cluster, so local mode rejects what kubectl would.
import { parseAllDocuments } from "yaml";
import { KIND_NAMES } from "./resources/kinds.js";
import type { ManifestResource } from "./resources/resource-by-kind.js";
import { isKappaKind, validatorFor } from "./validation/compiled-schemas.js";
import { type Issue, joinPath, ManifestError, type ValidationError } from "./validation/issue.js";
import { issueFromAjv } from "./validation/messages.js";
import { resourceRuleIssues } from "./validation/rules/index.js";
import { setRuleErrors, type ManifestSetOptions } from "./validation/set-rules.js";

export {
  formatValidationError,
  ManifestError,
  type Issue,
  type ValidationError,
} from "./validation/issue.js";
export type { ManifestSetOptions } from "./validation/set-rules.js";

export interface ValidateOptions {
  /** file the manifest came from, named in every error */
  file?: string;
  /** 0-based index of the document in that file */
  document?: number;
  /** allow code.path (local mode). Default true; pass false when the target is a cluster. */
  allowCodePath?: boolean;
}

export type ValidationResult<R = ManifestResource> =
  { ok: true; resource: R } | { ok: false; errors: ValidationError[] };

const ACCEPTED_KINDS = [...KIND_NAMES, "Secret", "ConfigMap"];
const origins = new WeakMap<object, { file?: string; document?: number }>();

/** Where a resource returned by the validator came from (file and document), if known. */
export const manifestOrigin = (resource: object) => origins.get(resource);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Validates one manifest and returns a copy with every default applied. The input is never modified. */
export function validateManifest(manifest: unknown, options: ValidateOptions = {}): ValidationResult {
  const metadata = isObject(manifest) && isObject(manifest.metadata) ? manifest.metadata : {};
  const kind = isObject(manifest) && typeof manifest.kind === "string" ? manifest.kind : "";
  const fail = (issues: Issue[]): ValidationResult => ({
    ok: false,
    errors: issues.map((issue) => ({
      kind,
      name: typeof metadata.name === "string" ? metadata.name : "",
      namespace: typeof metadata.namespace === "string" ? metadata.namespace : "default",
      file: options.file,
      document: options.document,
      ...issue,
    })),
  });
  if (!isObject(manifest)) {
    return fail([
      { path: "", message: "a manifest must be a mapping with apiVersion, kind, metadata and spec" },
    ]);
  }
  const validators = validatorFor(kind);
  if (!validators) {
    const message = kind
      ? `"${kind}" is not a kind Kappa knows; use one of ${ACCEPTED_KINDS.join(", ")}`
      : `is required: one of ${ACCEPTED_KINDS.join(", ")}`;
    return fail([{ path: "kind", message }]);
  }
  if (manifest.apiVersion !== validators.apiVersion) {
    return fail([
      {
        path: "apiVersion",
        message: `must be ${validators.apiVersion} for kind ${kind} (got ${JSON.stringify(manifest.apiVersion ?? null)})`,
      },
    ]);
  }
  const resource = structuredClone(manifest);
  if (!validators.validate(resource)) {
    return fail(dedupe((validators.validate.errors ?? []).map(issueFromAjv)));
  }
  const issues = isKappaKind(kind)
    ? resourceRuleIssues(kind, resource, { allowCodePath: options.allowCodePath ?? true })
    : builtInIssues(resource);
  if (issues.length > 0) return fail(issues);
  origins.set(resource, { file: options.file, document: options.document });
  return { ok: true, resource: resource as unknown as ManifestResource };
}

export interface ManifestsResult {
  ok: boolean;
  resources: ManifestResource[];
  errors: ValidationError[];
}

/** Validates every document of a multi-document YAML text. Empty documents are skipped. */
export function validateManifests(
  yamlText: string,
  fileName: string,
  options: Omit<ValidateOptions, "file" | "document"> = {},
): ManifestsResult {
  const resources: ManifestResource[] = [];
  const errors: ValidationError[] = [];
  for (const [index, document] of parseAllDocuments(yamlText).entries()) {
    if (document.errors.length > 0) {
      const first = document.errors[0]!;
      const line = first.linePos?.[0].line;
      errors.push({
        kind: "",
        name: "",
        file: fileName,
        document: index,
        path: "",
        message: `is not valid YAML${line ? ` at line ${line}` : ""}: ${first.message.split("\n")[0]!.replace(/:$/, "")}`,
      });
      continue;
    }
    const manifest: unknown = document.toJS();
    if (manifest === null || manifest === undefined) continue;
    const result = validateManifest(manifest, { ...options, file: fileName, document: index });
    if (result.ok) resources.push(result.resource);
    else errors.push(...result.errors);
  }
  return { ok: errors.length === 0, resources, errors };
}

/**
 * Checks what only a set of manifests can tell: references resolve, no duplicates, a FIFO queue's trigger batches
 * at most 10, a dead-letter queue is of the same type. Takes resources the validator already accepted.
 */
export function validateManifestSet(
  resources: ManifestResource[],
  options: ManifestSetOptions = {},
): ValidationError[] {
  return setRuleErrors(resources, options, manifestOrigin);
}

/** A manifest as written: defaulted fields and metadata.namespace may be left out. */
export interface ManifestInput {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  [field: string]: unknown;
}

/** A copy of a resource with every default filled in, typed as stored; throws ManifestError when it is invalid. */
export function withDefaults<R extends ManifestResource>(
  resource: ManifestInput,
  options: ValidateOptions = {},
): R {
  const result = validateManifest(resource, options);
  if (!result.ok) throw new ManifestError(result.errors);
  return result.resource as R;
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function builtInIssues(resource: Record<string, unknown>): Issue[] {
  if (resource.kind !== "Secret" || !isObject(resource.data)) return [];
  return Object.entries(resource.data)
    .filter(([, value]) => typeof value === "string" && (!BASE64.test(value) || value.length % 4 !== 0))
    .map(([key]) => ({
      path: joinPath("data", key),
      message: "must be base64 (Secret data is encoded); put plain text under stringData instead",
    }));
}
