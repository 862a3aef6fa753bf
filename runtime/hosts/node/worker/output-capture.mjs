// Function output in the host worker: console and process.stdout/stderr writes become one JSON line each on the
// worker's stdout, carrying the request id of the invocation that wrote them (followed through the timers,
// promises and callbacks an invocation started; see invocation-context.mjs), and go into that invocation's log
// tail. Same line format as the agent's LogCapture (runtime/log-capture.ts) for child-process hosts.
import { currentInvocation } from "./invocation-context.mjs";

export const TAIL_BYTES = 4096;
const MAX_LINE_BYTES = 256 * 1024;

export class LogTail {
  constructor() {
    this.chunks = [];
    this.bytes = 0;
  }

  append(text) {
    const chunk = Buffer.from(text + "\n", "utf8");
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0].length >= TAIL_BYTES) {
      this.bytes -= this.chunks.shift().length;
    }
  }

  base64() {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString("base64");
  }
}

/** Unterminated output of one writer (an invocation, or the code running between invocations). */
class LineBuffer {
  constructor(requestId, tail) {
    this.requestId = requestId;
    this.tail = tail;
    this.stdout = "";
    this.stderr = "";
  }
}

export class OutputCapture {
  constructor(functionName) {
    this.functionName = functionName;
    this.between = new LineBuffer(undefined, undefined);
    this.rawOut = process.stdout.write.bind(process.stdout);
  }

  /** Takes over process.stdout and process.stderr (console writes through them). */
  install() {
    const capture = (stream) => (chunk, encoding, callback) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      this.push(stream, text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") process.nextTick(done);
      return true;
    };
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
  }

  rename(functionName) {
    this.functionName = functionName;
  }

  /** Per-invocation line state; its lines carry the request id and land in `tail` when given. */
  open(requestId, tail) {
    return new LineBuffer(requestId, tail);
  }

  /** Emits an invocation's unterminated output as a line of its own. */
  flush(buffer) {
    for (const stream of ["stdout", "stderr"]) {
      if (buffer[stream] !== "") {
        const rest = buffer[stream];
        buffer[stream] = "";
        this.emit(buffer, stream, rest);
      }
    }
  }

  /** One JSON line of the worker's own (pino's shape), never attributed to an invocation. */
  agentLine(level, msg, fields = {}) {
    const levels = { info: 30, warn: 40, error: 50 };
    this.rawOut(
      JSON.stringify({ level: levels[level], time: Date.now(), component: "runtime-agent", ...fields, msg }) +
        "\n",
    );
  }

  push(stream, chunk) {
    const invocation = currentInvocation();
    const buffer = invocation
      ? (invocation.log ??= this.open(invocation.requestId, invocation.tail))
      : this.between;
    let text = buffer[stream] + chunk;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      this.emit(buffer, stream, text.slice(0, newline));
      text = text.slice(newline + 1);
      newline = text.indexOf("\n");
    }
    while (text.length > MAX_LINE_BYTES) {
      this.emit(buffer, stream, text.slice(0, MAX_LINE_BYTES));
      text = text.slice(MAX_LINE_BYTES);
    }
    buffer[stream] = text;
  }

  emit(buffer, stream, rawMessage) {
    const message = rawMessage.endsWith("\r") ? rawMessage.slice(0, -1) : rawMessage;
    const line = {
      time: new Date().toISOString(),
      level: stream === "stderr" ? "error" : "info",
      ...(buffer.requestId !== undefined ? { requestId: buffer.requestId } : {}),
      function: this.functionName,
      stream,
      message,
    };
    this.rawOut(JSON.stringify(line) + "\n");
    buffer.tail?.append(message);
  }
}
