// The built-in route every function has: /function/<namespace>/<name>[/<rest...>].
// Namespaces and names must be DNS-1123 labels, checked on the raw (still percent-encoded) path, so an encoded
// slash or dot can never smuggle another namespace or a traversal past the check.
import { HttpError } from "../http/http-error.js";

export const FUNCTION_PATH_PREFIX = "/function/";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isDnsLabel = (value: string): boolean => DNS_LABEL.test(value);

export interface FunctionPath {
  namespace: string;
  name: string;
  /** the path after the name, without its leading slash; undefined when there is none */
  rest?: string;
}

/** Parses a raw path starting with FUNCTION_PATH_PREFIX; throws a 400 HttpError naming the bad part. */
export function parseFunctionPath(rawPath: string): FunctionPath {
  const tail = rawPath.slice(FUNCTION_PATH_PREFIX.length);
  const firstSlash = tail.indexOf("/");
  const namespace = firstSlash < 0 ? tail : tail.slice(0, firstSlash);
  const afterNamespace = firstSlash < 0 ? "" : tail.slice(firstSlash + 1);
  const secondSlash = afterNamespace.indexOf("/");
  const name = secondSlash < 0 ? afterNamespace : afterNamespace.slice(0, secondSlash);
  const rest = secondSlash < 0 ? undefined : afterNamespace.slice(secondSlash + 1);
  if (!isDnsLabel(namespace)) {
    throw badPath("namespace", namespace);
  }
  if (!isDnsLabel(name)) {
    throw badPath("name", name);
  }
  if (rest !== undefined) assertNoTraversal(rest);
  return { namespace, name, rest: rest === "" ? undefined : rest };
}

function badPath(part: "namespace" | "name", value: string): HttpError {
  const shown = value.length > 64 ? `${value.slice(0, 64)}...` : value;
  return new HttpError(
    400,
    "BadRequest",
    `invalid function ${part} ${JSON.stringify(shown)} in path: use /function/<namespace>/<name> where both are ` +
      `DNS-1123 labels (lower-case letters, digits and '-', at most 63 characters)`,
  );
}

/** Rejects "." and ".." segments, raw or percent-encoded, and encoded slashes or backslashes. */
export function assertNoTraversal(path: string): void {
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, "BadRequest", "invalid percent-encoding in request path");
    }
    if (decoded === "." || decoded === ".." || decoded.includes("/") || decoded.includes("\\")) {
      throw new HttpError(
        400,
        "BadRequest",
        "request path may not contain '.' or '..' segments or encoded slashes",
      );
    }
  }
}
