// Plain aligned columns, as kubectl prints them: a header in upper case, two spaces between columns.
import { type Style, visibleLength } from "./style.js";

export function renderTable(headers: string[], rows: string[][], style: Style): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell))))
      .join("  ")
      .trimEnd();
  const head = style.bold(line(headers.map((h) => h.toUpperCase())));
  return [head, ...rows.map(line)].join("\n") + "\n";
}
