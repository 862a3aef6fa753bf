// The bridge from the manifest loader to the api validator. Kubernetes' own kinds that local mode accepts
// (Secret, ConfigMap) are checked here; every Kappa kind goes through api/ (one source of truth).
import { API_VERSION, KIND_NAMES } from "../../api/index.js";
import type { StoredResource } from "../../api/store.js";
import type { DocumentCheck } from "./manifest-loader.js";

const PLAIN_KINDS = new Set(["Secret", "ConfigMap"]);

export function validateDocument(document: StoredResource): DocumentCheck {
  if (PLAIN_KINDS.has(document.kind)) {
    if (document.apiVersion !== "v1")
      return {
        ok: false,
        errors: [{ field: "apiVersion", message: `a ${document.kind} has apiVersion: v1` }],
      };
    for (const [key, value] of Object.entries(document.data ?? {})) {
      if (typeof value !== "string")
        return { ok: false, errors: [{ field: `data.${key}`, message: "values must be strings" }] };
    }
    return { ok: true, resource: document };
  }
  if (!(KIND_NAMES as readonly string[]).includes(document.kind)) {
    return {
      ok: false,
      errors: [
        {
          field: "kind",
          message: `unknown kind ${document.kind}: local mode loads ${KIND_NAMES.join(", ")}, Secret and ConfigMap`,
        },
      ],
    };
  }
  if (document.apiVersion !== API_VERSION) {
    return {
      ok: false,
      errors: [{ field: "apiVersion", message: `must be ${API_VERSION} for a ${document.kind}` }],
    };
  }
  return { ok: true, resource: document };
}
