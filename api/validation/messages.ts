// Turns ajv's raw errors into messages a person can act on: the field, what is allowed, what was given.
import type { ErrorObject } from "ajv";
import { SECRET_KEY_PATTERN } from "../resources/api-key.js";
import { IDENTITY_SOURCE_PATTERN } from "../resources/authorizer.js";
import { SHA256_PATTERN } from "../resources/function.js";
import { SQS_QUEUE_NAME_PATTERN } from "../resources/queue.js";
import { HOST_PATTERN, ROUTE_PATH_PATTERN } from "../resources/route.js";
import { HTTP_URL_PATTERN, K8S_LABEL_PATTERN, K8S_NAME_PATTERN } from "../resources/schema-helpers.js";
import { type Issue, joinPath, pointerToPath } from "./issue.js";

const PATTERN_MEANINGS: Record<string, string> = {
  [K8S_NAME_PATTERN]:
    "must be a Kubernetes name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
  [K8S_LABEL_PATTERN]:
    "must be a namespace name: lowercase letters, digits and '-', starting and ending with a letter or digit",
  [HTTP_URL_PATTERN]: "must be an http:// or https:// URL",
  [SHA256_PATTERN]: "must be the file's sha256 as 64 lowercase hex digits",
  [SQS_QUEUE_NAME_PATTERN]:
    "must be an SQS queue name: 1 to 80 of A-Z a-z 0-9 _ - (a FIFO name ends in .fifo)",
  [IDENTITY_SOURCE_PATTERN]:
    "must be an identity source like $request.header.Authorization or $request.querystring.token",
  [HOST_PATTERN]: "must be a lowercase host name such as api.example.com or *.example.com",
  [ROUTE_PATH_PATTERN]: "must start with /",
  [SECRET_KEY_PATTERN]: "must be a Secret data key: letters, digits, '-', '_' and '.'",
};

/** The unit a number field is counted in, read from its name, so a range reads "between 128 and 10240 MiB". */
function unitOf(path: string): string {
  const field = path.split(".").pop() ?? "";
  if (/MiB$/.test(field)) return " MiB";
  if (/Milliseconds$/.test(field)) return " ms";
  if (/(Seconds|Timeout|Period|maxAge)$/.test(field) && field !== "period") return " seconds";
  if (/Size$/.test(field) && field !== "batchSize") return " bytes";
  return "";
}

const show = (value: unknown): string => {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
};

const TYPE_NAMES: Record<string, string> = {
  integer: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object (a map of fields)",
  array: "a list",
};

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(
        row[j]! + 1,
        row[j - 1]! + 1,
        previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length]!;
}

function unknownField(name: string, known: string[]): string {
  const closest = known
    // a misspelt prefix counts too: "timout" is close to "timeoutSeconds"
    .map((candidate) => ({
      candidate,
      distance: Math.min(
        levenshtein(name, candidate),
        levenshtein(name, candidate.slice(0, name.length)) + 1,
      ),
    }))
    .sort((x, y) => x.distance - y.distance)[0];
  if (closest && closest.distance <= Math.max(2, Math.floor(name.length / 3))) {
    return `is not a known field; did you mean ${closest.candidate}?`;
  }
  return known.length > 0 ? `is not a known field (known: ${known.join(", ")})` : "is not a known field";
}

type SchemaNode = { minimum?: number; maximum?: number; properties?: Record<string, unknown> };

export function issueFromAjv(error: ErrorObject): Issue {
  const path = pointerToPath(error.instancePath);
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const unit = unitOf(path);
  switch (error.keyword) {
    case "required":
      return { path: joinPath(path, String(params.missingProperty)), message: "is required" };
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      return {
        path: joinPath(path, field),
        message: unknownField(field, Object.keys(parent.properties ?? {})),
      };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      if (parent.minimum !== undefined && parent.maximum !== undefined) {
        return {
          path,
          message: `must be between ${parent.minimum} and ${parent.maximum}${unit} (got ${show(error.data)})`,
        };
      }
      const words = {
        minimum: "at least",
        maximum: "at most",
        exclusiveMinimum: "more than",
        exclusiveMaximum: "less than",
      };
      return {
        path,
        message: `must be ${words[error.keyword]} ${String(params.limit)}${unit} (got ${show(error.data)})`,
      };
    }
    case "type":
      return {
        path,
        message: `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)} (got ${show(error.data)})`,
      };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return { path, message: `must be one of ${allowed} (got ${show(error.data)})` };
    }
    case "pattern": {
      const meaning = PATTERN_MEANINGS[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
      return { path, message: `${meaning} (got ${show(error.data)})` };
    }
    case "minLength":
      return {
        path,
        message:
          params.limit === 1
            ? "must not be empty"
            : `must be at least ${String(params.limit)} characters long`,
      };
    case "maxLength":
      return {
        path,
        message: `must be at most ${String(params.limit)} characters long (got ${String((error.data as string).length)})`,
      };
    case "minItems":
      return {
        path,
        message: `must list at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}`,
      };
    case "maxItems":
      return { path, message: `must list at most ${String(params.limit)} items` };
    case "minProperties":
      return {
        path,
        message: `must have at least ${String(params.limit)} entr${params.limit === 1 ? "y" : "ies"}`,
      };
    case "maxProperties":
      return { path, message: `must have at most ${String(params.limit)} entries` };
    case "format":
      return params.format === "date-time"
        ? {
            path,
            message: `must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z (got ${show(error.data)})`,
          }
        : { path, message: `must be a valid ${String(params.format)} (got ${show(error.data)})` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}
