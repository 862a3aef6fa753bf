// Edits of manifest files that keep everything else in them (other documents, comments) as written.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

export interface DocumentRef {
  kind: string;
  namespace: string;
  name: string;
}

const matches = (value: unknown, ref: DocumentRef): boolean => {
  const doc = value as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
  return (
    doc?.kind === ref.kind &&
    doc.metadata?.name === ref.name &&
    (doc.metadata?.namespace ?? "default") === ref.namespace
  );
};

/** Removes one document from a multi-document YAML file; removes the file when nothing is left. */
export function removeDocument(
  path: string,
  ref: DocumentRef,
): "removed-document" | "removed-file" | "not-found" {
  const documents = parseAllDocuments(readFileSync(path, "utf8"));
  const list = Array.isArray(documents) ? documents : [documents];
  const kept = list.filter((d) => !matches(d.toJS(), ref));
  if (kept.length === list.length) return "not-found";
  const meaningful = kept.filter((d) => d.toJS() !== null && d.toJS() !== undefined);
  if (meaningful.length === 0) {
    rmSync(path);
    return "removed-file";
  }
  writeFileSync(path, meaningful.map((d) => String(d).replace(/\n*$/, "\n")).join("---\n"));
  return "removed-document";
}
