// Per-function log files for local mode: every line an instance prints goes, as one JSON object, to
// <logsDir>/<namespace>/<name>.log (generic warm-pool instances: <logsDir>/_pool/<runtime>.log),
// which `kappa logs -f` tails.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";

export const POOL_LOG_NAMESPACE = "_pool";

export function functionLogPath(logsDir: string, namespace: string, name: string): string {
  return join(logsDir, namespace, `${name}.log`);
}

export class LogFiles {
  private readonly streams = new Map<string, WriteStream>();

  constructor(private readonly logsDir: string) {}

  /** Appends one line to the file of `namespace/name`; non-JSON lines are wrapped so the file stays JSON lines. */
  write(namespace: string, name: string, line: string, extra: Record<string, unknown>): void {
    if (line.trim() === "") return;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      record =
        parsed && typeof parsed === "object" && !Array.isArray(parsed)
          ? { ...(parsed as Record<string, unknown>), ...extra }
          : { msg: line, ...extra };
    } catch {
      record = { time: Date.now(), msg: line, ...extra };
    }
    this.stream(namespace, name).write(`${JSON.stringify(record)}\n`);
  }

  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }

  private stream(namespace: string, name: string): WriteStream {
    const path = functionLogPath(this.logsDir, namespace, name);
    let stream = this.streams.get(path);
    if (!stream) {
      mkdirSync(dirname(path), { recursive: true });
      stream = createWriteStream(path, { flags: "a" });
      this.streams.set(path, stream);
    }
    return stream;
  }
}
