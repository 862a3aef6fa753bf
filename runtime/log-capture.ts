// Captures a function process's stdout/stderr line by line. Each line becomes one JSON log line on the agent's
// stdout carrying the request id of the invocation it belongs to, and is kept in that invocation's log tail.
import type { Readable } from "node:stream";

/** Lambda returns the last 4 KB of an invocation's log for LogType Tail. */
export const TAIL_BYTES = 4096;
/** A line longer than this is cut into several log lines so one runaway write cannot grow memory unbounded. */
export const MAX_LINE_BYTES = 256 * 1024;

export type StreamName = "stdout" | "stderr";

export class LogTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  append(text: string): void {
    const chunk = Buffer.from(text + "\n", "utf8");
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0]!.length >= TAIL_BYTES) {
      this.bytes -= this.chunks.shift()!.length;
    }
  }

  /** The last TAIL_BYTES bytes of the log, base64. */
  base64(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString("base64");
  }
}

export interface LogLine {
  time: string;
  level: "info" | "error";
  requestId?: string;
  function: string;
  stream: StreamName;
  message: string;
}

export interface CurrentInvocationLog {
  requestId: string;
  tail?: LogTail;
}

export class LogCapture {
  private current: CurrentInvocationLog | undefined;
  private readonly partial: Record<StreamName, string> = { stdout: "", stderr: "" };

  constructor(
    private functionName: string,
    private readonly write: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A generic instance's process becomes a function's: its later lines carry the function's name. */
  rename(functionName: string): void {
    this.functionName = functionName;
  }

  attach(stream: Readable, name: StreamName): void {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.push(name, chunk));
  }

  /** Lines seen from now on belong to this invocation (undefined = between invocations). */
  setInvocation(current: CurrentInvocationLog | undefined): void {
    this.current = current;
  }

  /** Emits unterminated output as a line of its own (at the end of an invocation or when the process exits). */
  flush(): void {
    for (const name of ["stdout", "stderr"] as const) {
      if (this.partial[name] !== "") {
        const rest = this.partial[name];
        this.partial[name] = "";
        this.emit(name, rest);
      }
    }
  }

  push(name: StreamName, chunk: string): void {
    let text = this.partial[name] + chunk;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      this.emit(name, text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    while (text.length > MAX_LINE_BYTES) {
      this.emit(name, text.slice(0, MAX_LINE_BYTES));
      text = text.slice(MAX_LINE_BYTES);
    }
    this.partial[name] = text;
  }

  /** Lines the agent writes into an invocation's log itself (START, END, REPORT, errors). */
  note(message: string): void {
    this.current?.tail?.append(message);
  }

  private emit(stream: StreamName, rawMessage: string): void {
    const message = rawMessage.endsWith("\r") ? rawMessage.slice(0, -1) : rawMessage;
    const line: LogLine = {
      time: this.now().toISOString(),
      level: stream === "stderr" ? "error" : "info",
      ...(this.current ? { requestId: this.current.requestId } : {}),
      function: this.functionName,
      stream,
      message,
    };
    this.write(JSON.stringify(line) + "\n");
    this.current?.tail?.append(message);
  }
}
