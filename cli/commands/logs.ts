// `kappa logs <fn> [-f]`: a function's log lines (every instance), pretty for people, raw JSON for scripts.
import { statSync } from "node:fs";
import type { Command } from "commander";
import { contextOf, type CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { functionLogPath, readLastLines, readRange } from "../function-logs.js";
import { parseResourceId } from "../names.js";

/** How often -f looks for new lines; a quarter second feels live and costs one stat call. */
const FOLLOW_POLL_MS = 250;

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .argument("<function>", "name or namespace/name")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("--tail <lines>", "how many of the last lines to print first", "50")
    .description("print a function's logs (all its instances); one JSON object per line with -o json")
    .addHelpText(
      "after",
      "\nExamples:\n  kappa logs hello\n  kappa logs hello -f\n  kappa logs hello --tail 5 -o json | jq .msg",
    )
    .action(async (target: string, options: { follow?: boolean; tail: string }, command: Command) => {
      const context = contextOf(command);
      const id = parseResourceId(target);
      const tail = Number(options.tail);
      if (!Number.isInteger(tail) || tail < 0)
        throw new UsageError(`--tail must be a whole number (got "${options.tail}")`);
      const state = context.dev();
      const path = functionLogPath(state.logsDir, id.namespace, id.name);
      for (const line of readLastLines(path, tail)) context.print(formatLine(context, line));
      if (!options.follow) return;
      await follow(context, path);
    });
}

async function follow(context: CommandContext, path: string): Promise<void> {
  let offset = sizeOf(path);
  let partial = "";
  let stop = false;
  const onSignal = () => (stop = true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  while (!stop) {
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    const size = sizeOf(path);
    if (size < offset) offset = 0; // truncated or replaced: start over
    if (size === offset) continue;
    const text = partial + readRange(path, offset, size);
    offset = size;
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line) context.print(formatLine(context, line));
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** pino's numeric levels, as the agent and the platform write them. */
const PINO_LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const levelName = (level: unknown): string =>
  typeof level === "number" ? (PINO_LEVELS[level] ?? String(level)) : String(level ?? "");

function formatLine(context: CommandContext, line: string): string {
  if (context.format !== "table") return line + "\n";
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line + "\n";
  }
  const time =
    typeof entry.time === "number"
      ? new Date(entry.time).toISOString()
      : String(entry.time ?? entry.timestamp ?? "");
  const level = levelName(entry.level);
  const requestId = entry.requestId ?? entry.awsRequestId ?? entry.reqId;
  const message = String(entry.msg ?? entry.message ?? line);
  const levelText = ["50", "60", "error", "ERROR", "fatal"].includes(level)
    ? context.out.error(level)
    : context.out.dim(level);
  return `${context.out.dim(time)} ${levelText}${requestId ? context.out.dim(` [${String(requestId).slice(0, 8)}]`) : ""} ${message}\n`;
}
