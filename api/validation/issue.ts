// What a validator finds: a field path and what is wrong with it, tied to the resource and file it came from.

/** One problem inside one resource. path is dotted from the root: "spec.memoryMiB", "spec.methods[1]". */
export interface Issue {
  path: string;
  message: string;
}

export interface ValidationError extends Issue {
  kind: string;
  name: string;
  namespace?: string;
  file?: string;
  /** 0-based index of the YAML document in its file */
  document?: number;
}

/** "Function default/hello (fns.yaml): spec.memoryMiB: must be between 128 and 10240 MiB (got 64)" */
export function formatValidationError(error: ValidationError): string {
  const who = `${error.kind || "<no kind>"} ${error.namespace ? `${error.namespace}/` : ""}${error.name || "<no name>"}`;
  const where = error.file
    ? ` (${error.file}${error.document ? `, document ${error.document + 1}` : ""})`
    : "";
  return `${who}${where}: ${error.path ? `${error.path}: ` : ""}${error.message}`;
}

/** Thrown by withDefaults() and friends when a resource is invalid; message lists every error. */
export class ManifestError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(errors.map(formatValidationError).join("\n"));
    this.name = "ManifestError";
  }
}

/** JSON pointer from ajv ("/spec/code/inline/index.js") to our dotted path (spec.code.inline["index.js"]). */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "";
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, segment) => joinPath(path, segment), "");
}

export function joinPath(path: string, segment: string | number): string {
  if (typeof segment === "number" || /^\d+$/.test(segment)) return `${path}[${segment}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) return path ? `${path}.${segment}` : segment;
  return `${path}[${JSON.stringify(segment)}]`;
}
