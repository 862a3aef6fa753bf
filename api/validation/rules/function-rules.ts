// Function rules the schema cannot express (or expresses in CEL, which only the API server runs).
import {
  ENV_TOTAL_BYTES,
  INLINE_CODE_TOTAL_BYTES,
  RESERVED_ENV_NAMES,
  RESERVED_ENV_PREFIXES,
  type KappaFunction,
} from "../../resources/function.js";
import { type Issue, joinPath } from "../issue.js";
import type { ResourceRule } from "./rule-context.js";

const CODE_SOURCES = ["inline", "configMap", "url", "image", "path"] as const;
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HANDLER = /^[^\s]+\.[A-Za-z_$][A-Za-z0-9_$]*$/;
const NODE_EXTENSIONS = [".js", ".mjs", ".cjs"];
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

export const functionRules: ResourceRule<KappaFunction> = (fn, context) => {
  const { spec } = fn;
  const issues: Issue[] = [];
  const sources = CODE_SOURCES.filter((source) => spec.code[source] !== undefined);
  if (sources.length !== 1) {
    issues.push({
      path: "spec.code",
      message:
        sources.length === 0
          ? "must set exactly one of inline, configMap, url (+ sha256), image, path; none is set"
          : `must set exactly one of inline, configMap, url (+ sha256), image, path; found ${sources.join(" and ")}`,
    });
  }
  if ((spec.code.url === undefined) !== (spec.code.sha256 === undefined)) {
    const missing = spec.code.url === undefined ? "url" : "sha256";
    issues.push({
      path: `spec.code.${missing}`,
      message: "is required: code.url and code.sha256 go together",
    });
  }
  if (spec.code.path !== undefined && !context.allowCodePath) {
    issues.push({
      path: "spec.code.path",
      message: "works only in local mode (kappa dev); use inline, configMap, url or image",
    });
  }
  if (spec.code.image !== undefined && spec.runtime !== "provided") {
    issues.push({
      path: "spec.runtime",
      message: `must be "provided" when code.image is set (got "${spec.runtime}")`,
    });
  }
  issues.push(...handlerIssues(fn), ...envIssues(spec.env ?? {}), ...inlineIssues(spec.code.inline));
  const { reserved, perInstance } = spec.concurrency;
  if (reserved !== undefined && reserved < perInstance) {
    issues.push({
      path: "spec.concurrency.reserved",
      message: `must be at least concurrency.perInstance (${perInstance}), or no instance could take a request (got ${reserved})`,
    });
  }
  const { minInstances, maxInstances } = spec.scaling;
  if (minInstances > maxInstances) {
    issues.push({
      path: "spec.scaling.minInstances",
      message: `must be at most scaling.maxInstances (${maxInstances}) (got ${minInstances})`,
    });
  }
  return issues;
};

function handlerIssues({ spec }: KappaFunction): Issue[] {
  if (spec.runtime === "provided") return [];
  if (spec.handler === undefined) {
    return [
      {
        path: "spec.handler",
        message: `is required for runtime ${spec.runtime}: <file>.<export>, e.g. index.handler`,
      },
    ];
  }
  if (!HANDLER.test(spec.handler)) {
    return [
      {
        path: "spec.handler",
        message: `must be <file>.<export>, e.g. index.handler (got "${spec.handler}")`,
      },
    ];
  }
  const inline = spec.code.inline;
  if (!inline) return [];
  const module = spec.handler.slice(0, spec.handler.lastIndexOf("."));
  const candidates = spec.runtime.startsWith("nodejs")
    ? NODE_EXTENSIONS.map((ext) => module + ext)
    : [`${module}.py`, `${module.replaceAll(".", "/")}.py`];
  if (candidates.some((file) => file in inline)) return [];
  return [
    {
      path: "spec.handler",
      message: `names file ${candidates[0]}, which is not in code.inline (files: ${Object.keys(inline).join(", ")})`,
    },
  ];
}

function envIssues(env: Record<string, string>): Issue[] {
  const issues: Issue[] = [];
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    total += bytes(name) + bytes(value);
    const path = joinPath("spec.env", name);
    if (
      RESERVED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
      (RESERVED_ENV_NAMES as readonly string[]).includes(name)
    ) {
      issues.push({
        path,
        message:
          "is reserved: Kappa sets AWS_*, LAMBDA_*, _HANDLER, _X_AMZN_TRACE_ID and TZ itself; pick another name",
      });
    } else if (!ENV_NAME.test(name)) {
      issues.push({
        path,
        message: "is not a valid variable name: start with a letter, then letters, digits and _",
      });
    }
  }
  if (total > ENV_TOTAL_BYTES) {
    issues.push({
      path: "spec.env",
      message: `names and values take ${total} bytes; at most ${ENV_TOTAL_BYTES} (4 KiB) are allowed, as in Lambda. Move large values to a ConfigMap or the code`,
    });
  }
  return issues;
}

function inlineIssues(inline: Record<string, string> | undefined): Issue[] {
  if (!inline) return [];
  const issues: Issue[] = [];
  let total = 0;
  for (const [file, text] of Object.entries(inline)) {
    total += bytes(text);
    const segments = file.split("/");
    if (file.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) {
      issues.push({
        path: joinPath("spec.code.inline", file),
        message: "must be a relative file name without '.', '..' or empty segments",
      });
    }
  }
  if (total > INLINE_CODE_TOTAL_BYTES) {
    issues.push({
      path: "spec.code.inline",
      message: `holds ${total} bytes; at most ${INLINE_CODE_TOTAL_BYTES} (512 KiB) fit in a resource. Use code.url or code.configMap`,
    });
  }
  return issues;
}
