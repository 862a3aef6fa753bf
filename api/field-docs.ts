// The field tables of docs/resources.md, generated from the schemas so the docs cannot drift from them.
// docs/resources.md holds markers <!-- fields:Kind --> ... <!-- /fields --> that `tsx api/generate-docs.ts` fills.
import type { TSchema } from "@sinclair/typebox";
import { Kinds } from "./resources/kinds.js";

type Node = Record<string, unknown>;

interface Row {
  path: string;
  type: string;
  required: boolean;
  defaultValue: string;
  allowed: string;
  description: string;
}

function typeOf(node: Node): string {
  if (node["x-kubernetes-preserve-unknown-fields"]) return "any JSON";
  if (node.type === "array") return `list of ${typeOf((node.items ?? {}) as Node)}`;
  if (node.type === "object" && node.additionalProperties)
    return `map of ${typeOf(node.additionalProperties as Node)}`;
  return String(node.type ?? "any");
}

function allowedOf(node: Node): string {
  const parts: string[] = [];
  if (Array.isArray(node.enum)) parts.push(node.enum.map(String).join(" \\| "));
  const { minimum, maximum, exclusiveMinimum } = node as {
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
  };
  if (minimum !== undefined && maximum !== undefined) parts.push(`${minimum}..${maximum}`);
  else if (exclusiveMinimum !== undefined)
    parts.push(`> ${exclusiveMinimum}${maximum !== undefined ? `, <= ${maximum}` : ""}`);
  else if (minimum !== undefined) parts.push(`>= ${minimum}`);
  else if (maximum !== undefined) parts.push(`<= ${maximum}`);
  if (node.maxLength !== undefined) parts.push(`max ${String(node.maxLength)} chars`);
  if (node.type === "array" && node.minItems !== undefined) parts.push(`>= ${String(node.minItems)} items`);
  if (node.type === "array" && node.maxItems !== undefined) parts.push(`<= ${String(node.maxItems)} items`);
  return parts.join(", ");
}

/** One row per field, depth first; fields of list items are written path[].field. */
function rows(node: Node, path: string, out: Row[]): Row[] {
  const requiredNames = new Set((node.required ?? []) as string[]);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    const childPath = path ? `${path}.${name}` : name;
    out.push({
      path: childPath,
      type: typeOf(child),
      required: requiredNames.has(name) && child.default === undefined,
      defaultValue: child.default === undefined ? "" : `\`${JSON.stringify(child.default)}\``,
      allowed: allowedOf(child),
      description: String(child.description ?? ""),
    });
    rows(child, childPath, out);
    const items = child.items as Node | undefined;
    if (items?.properties) rows(items, `${childPath}[]`, out);
  }
  return out;
}

const cell = (text: string) =>
  text.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function fieldTable(schema: TSchema, prefix: string): string {
  const lines = ["| field | type | default | allowed | notes |", "|---|---|---|---|---|"];
  for (const row of rows(schema as unknown as Node, "", [])) {
    const name = `\`${prefix}.${row.path}\`${row.required ? " (required)" : ""}`;
    lines.push(
      `| ${name} | ${cell(row.type)} | ${row.defaultValue} | ${row.allowed} | ${cell(row.description)} |`,
    );
  }
  return lines.join("\n");
}

/** Replaces every <!-- fields:Kind --> ... <!-- /fields --> block with the kind's current spec table. */
export function fillFieldTables(markdown: string): string {
  return markdown.replace(/<!-- fields:(\w+) -->[\s\S]*?<!-- \/fields -->/g, (_whole, kind: string) => {
    const info = Kinds.find((k) => k.kind === kind);
    if (!info) throw new Error(`docs/resources.md names unknown kind ${kind} in a fields marker`);
    return `<!-- fields:${kind} -->\n${fieldTable(info.specSchema, "spec")}\n<!-- /fields -->`;
  });
}
