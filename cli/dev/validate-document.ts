// The bridge from the manifest loader to the api validator (one source of truth: the same schemas as the CRDs,
// plus the rules CEL checks in a cluster). Local mode allows code.path.
import { validateManifest, validateManifestSet } from "../../api/validate.js";
import type { ManifestResource } from "../../api/resources/resource-by-kind.js";
import type { StoredResource } from "../../api/store.js";
import type { DocumentCheck, LoadedResource, ManifestProblem } from "./manifest-loader.js";

export function validateDocument(document: StoredResource): DocumentCheck {
  const result = validateManifest(document, { allowCodePath: true });
  if (result.ok) return { ok: true, resource: result.resource as unknown as StoredResource };
  return {
    ok: false,
    errors: result.errors.map((e) => ({ field: e.path || undefined, message: e.message })),
  };
}

/**
 * Rules over the whole folder: references resolve, queue types agree. A broken reference does not keep the
 * resource from loading (a Route to a missing function answers 404 until the function comes), but it is reported.
 */
export function validateFolderSet(resources: LoadedResource[]): ManifestProblem[] {
  const fileOf = new Map<string, string>();
  for (const r of resources)
    fileOf.set(`${r.resource.kind}/${r.resource.metadata.namespace}/${r.resource.metadata.name}`, r.file);
  const errors = validateManifestSet(resources.map((r) => r.resource as unknown as ManifestResource));
  return errors
    .filter(
      (e) => !e.message.startsWith("is defined twice") && !/defined (twice|more than once)/.test(e.message),
    )
    .map((e) => {
      const label = `${e.kind}/${e.namespace ?? "default"}/${e.name}`;
      return {
        file: fileOf.get(label) ?? e.file ?? "?",
        resource: label,
        field: e.path || undefined,
        message: e.message,
        severity: "warning" as const,
      };
    });
}
