// HTTP/1.1 over a bare TCP socket for wire-level tests: bytes go out exactly as the test writes them, and answers
// are read by a small strict response reader, because fetch/undici/node:http clients normalize away what the
// tests check (framing, header order and repetition, what happens after the first response).
import { connect, type Socket } from "node:net";

export interface RawResponse {
  /** e.g. "HTTP/1.1" */
  version: string;
  status: number;
  /** the head as received, for failure messages */
  head: string;
  /** lower-cased names, values in the order received (a repeated header has several) */
  headers: Map<string, string[]>;
  body: Buffer;
}

/** A header's values joined by ", " (undefined when absent). */
export function headerOf(response: RawResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.join(", ");
}

/** Whether a Connection header lists `option` (e.g. "close", "keep-alive"). */
export function connectionHas(response: RawResponse, option: string): boolean {
  return (headerOf(response, "connection") ?? "")
    .toLowerCase()
    .split(",")
    .some((o) => o.trim() === option);
}

export class IncompleteResponse extends Error {}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Parses one response starting at `offset`. Returns undefined while more bytes are needed; when `closed`, bytes
 * up to the end belong to a body without framing. Throws IncompleteResponse if the bytes can never be a response.
 */
function parseResponse(
  data: Buffer,
  offset: number,
  closed: boolean,
  isHead: boolean,
): { response: RawResponse; end: number } | undefined {
  const headEnd = data.indexOf(HEAD_END, offset);
  if (headEnd < 0) {
    if (closed && data.length > offset)
      throw new IncompleteResponse(
        `unterminated response head: ${JSON.stringify(data.subarray(offset).toString("latin1"))}`,
      );
    return undefined;
  }
  const head = data.subarray(offset, headEnd).toString("latin1");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const match = /^(HTTP\/\d\.\d) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) throw new IncompleteResponse(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new IncompleteResponse(`malformed response header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  const status = Number(match[2]);
  const bodyStart = headEnd + HEAD_END.length;
  const response = (body: Buffer): RawResponse => ({ version: match[1]!, status, head, headers, body });
  if (isHead || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return { response: response(Buffer.alloc(0)), end: bodyStart };
  }
  const transferEncoding = headers.get("transfer-encoding")?.join(",").toLowerCase();
  if (transferEncoding?.trim() === "chunked") return parseChunked(data, bodyStart, closed, response);
  const lengths = headers.get("content-length");
  if (lengths) {
    if (lengths.length !== 1 || !/^\d+$/.test(lengths[0]!))
      throw new IncompleteResponse(`bad response content-length: ${JSON.stringify(lengths)}`);
    const end = bodyStart + Number(lengths[0]);
    if (data.length < end) {
      if (closed)
        throw new IncompleteResponse(`connection closed ${end - data.length} bytes before the body's end`);
      return undefined;
    }
    return { response: response(data.subarray(bodyStart, end)), end };
  }
  // No framing: the body runs to the close.
  if (!closed) return undefined;
  return { response: response(data.subarray(bodyStart)), end: data.length };
}

function parseChunked(
  data: Buffer,
  start: number,
  closed: boolean,
  response: (body: Buffer) => RawResponse,
): { response: RawResponse; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1").split(";")[0]!, 16);
    if (!Number.isFinite(size)) throw new IncompleteResponse("malformed chunk size in response");
    if (size === 0) {
      // The last chunk's line ends the body; optional trailer lines follow, then an empty line.
      const trailersEnd = data.indexOf(HEAD_END, lineEnd);
      if (trailersEnd < 0) break;
      return { response: response(Buffer.concat(parts)), end: trailersEnd + HEAD_END.length };
    }
    if (data.length < lineEnd + 2 + size + 2) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  if (closed) throw new IncompleteResponse("connection closed inside a chunked response body");
  return undefined;
}

/** One client connection: write raw bytes, read responses one by one, see whether and when the server closed. */
export class RawConnection {
  private data = Buffer.alloc(0);
  private offset = 0;
  private wake: Array<() => void> = [];
  /** the server closed (or reset) the connection */
  closed = false;
  /** a write or read error (EPIPE, ECONNRESET), kept for failure messages instead of failing the test run */
  error: Error | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.notify();
    });
    socket.on("error", (error) => {
      this.error = error;
    });
    socket.on("close", () => {
      this.closed = true;
      this.notify();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes bytes (a string is sent as latin1, byte for byte); resolves once they are handed to the kernel. */
  write(bytes: string | Buffer): Promise<void> {
    const buffer = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.closed) return resolve();
      this.socket.write(buffer, () => resolve());
    });
  }

  /** Everything received so far, as latin1 text. */
  received(): string {
    return this.data.toString("latin1");
  }

  /** Bytes received after the last response read. */
  unread(): string {
    return this.data.subarray(this.offset).toString("latin1");
  }

  /** The next response; `head: true` for the answer to a HEAD request (no body follows it). */
  async readResponse(options: { head?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const parsed = parseResponse(this.data, this.offset, this.closed, options.head ?? false);
      if (parsed) {
        this.offset = parsed.end;
        return parsed.response;
      }
      if (this.closed) {
        throw new IncompleteResponse(
          `connection closed without a (further) response; received so far: ${JSON.stringify(this.received())}`,
        );
      }
      if (!(await this.waitForEvent(deadline))) {
        throw new IncompleteResponse(
          `no complete response within ${options.timeoutMs ?? 5_000} ms; received so far: ${JSON.stringify(this.received())}`,
        );
      }
    }
  }

  /** Every complete response received so far, without waiting (for "was anything else answered?"). */
  responsesSoFar(): RawResponse[] {
    const out: RawResponse[] = [];
    let at = 0;
    for (;;) {
      let parsed;
      try {
        parsed = parseResponse(this.data, at, this.closed, false);
      } catch {
        return out;
      }
      if (!parsed || parsed.end === at) return out;
      out.push(parsed.response);
      at = parsed.end;
    }
  }

  /** Resolves true once the server has closed the connection, false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) if (!(await this.waitForEvent(deadline))) return false;
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    for (const wake of waiting) wake();
  }

  /** Waits for data or close; false when the deadline passed first. */
  private waitForEvent(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = this.wake.filter((w) => w !== wake);
        resolve(false);
      }, left);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.wake.push(wake);
    });
  }
}

/**
 * Opens a connection, writes `bytes` in one write, and collects everything until the server closes or
 * `timeoutMs` passes. For requests the server must reject: the caller checks what was answered and the close.
 */
export async function exchangeUntilClose(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 5_000,
): Promise<{ responses: RawResponse[]; closed: boolean; raw: string }> {
  const connection = await RawConnection.open(port);
  try {
    await connection.write(bytes);
    const closed = await connection.waitClosed(timeoutMs);
    return { responses: connection.responsesSoFar(), closed, raw: connection.received() };
  } finally {
    connection.destroy();
  }
}
