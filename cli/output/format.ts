// `-o json|yaml` for scripts; the default is the human view the command prints itself.
import { stringify } from "yaml";
import { UsageError } from "../errors.js";

export type OutputFormat = "table" | "json" | "yaml";

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "table" || value === "wide") return "table";
  if (value === "json" || value === "yaml") return value;
  throw new UsageError(`-o/--output must be json, yaml or table (got "${value}")`);
}

export function renderData(format: "json" | "yaml", data: unknown): string {
  return format === "json" ? JSON.stringify(data, null, 2) + "\n" : stringify(data);
}
