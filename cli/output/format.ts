// `-o json|yaml` for scripts; the default is the human view the command prints itself.
import { UsageError } from "../errors.js";

export type OutputFormat = "table" | "json" | "yaml";

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "table" || value === "wide") return "table";
  if (value === "json" || value === "yaml") return value;
  throw new UsageError(`-o/--output must be json, yaml or table (got "${value}")`);
}

export async function renderData(format: "json" | "yaml", data: unknown): Promise<string> {
  if (format === "json") return JSON.stringify(data, null, 2) + "\n";
  const { stringify } = await import("yaml"); // loaded only when asked: it costs startup time
  return stringify(data);
}
