// Color only for a person at a terminal: never when piped, never with NO_COLOR (https://no-color.org), and
// always with FORCE_COLOR (for screenshots and CI logs that render ANSI).
import type { Writable } from "node:stream";

export function colorEnabled(stream: Writable & { isTTY?: boolean }): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

const wrap = (open: number, close: number) => (on: boolean, text: string) =>
  on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const paint = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

export interface Style {
  color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  ok(text: string): string;
  warn(text: string): string;
  error(text: string): string;
  link(text: string): string;
}

export function styleFor(stream: Writable & { isTTY?: boolean }): Style {
  const on = colorEnabled(stream);
  return {
    color: on,
    bold: (t) => paint.bold(on, t),
    dim: (t) => paint.dim(on, t),
    ok: (t) => paint.green(on, t),
    warn: (t) => paint.yellow(on, t),
    error: (t) => paint.red(on, t),
    link: (t) => paint.cyan(on, t),
  };
}

/** Visible width of a string, ignoring ANSI color codes. */
const ANSI_COLOR = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
export const visibleLength = (text: string): number => text.replace(ANSI_COLOR, "").length;
