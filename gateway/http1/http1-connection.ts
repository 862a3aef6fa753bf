// One client connection of the function port: takes request heads and bodies as the server reads them off the
// socket (receive), hands each request to the handler as an Http1Exchange, and writes its response in one write.
// Requests are served one at a time in arrival order (pipelined bytes wait in `pending`). No timers per request or
// connection: the server's sweep (http1-server.ts) enforces the header, body and keep-alive timeouts from the
// times recorded here. What arrives may be a view of the shared read buffer (shared-reads.ts): whatever is kept
// past the call that delivered it is copied first (`keep`).
import type { Socket } from "node:net";
import { ChunkedBody } from "./chunked-body.js";
import { Http1Exchange, type ExchangeOwner, type Http1Handler } from "./http1-exchange.js";
import { TOKEN_CHARS } from "./http-syntax.js";
import { parseRequestHead, parseRequestLine } from "./request-head.js";
import { InvalidResponseHeader, hasNoBody, responseHead } from "./response-head.js";
import { isSharedReadBuffer } from "./shared-reads.js";
import { HeldWrites } from "./held-writes.js";

export interface Http1Limits {
  /** a request head must be complete this long after its first byte (slowloris) */
  headersTimeoutMs: number;
  /** a body must be complete this long after the handler asks for it */
  bodyTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** request line + headers, as node's --max-http-header-size (16 KiB) */
  maxHeadBytes: number;
}

/** The body exceeded what the handler allows (its maxBytes). */
export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
}
/** The body did not arrive within bodyTimeoutMs. */
export class BodyTimeout extends Error {
  override readonly name = "BodyTimeout";
}
/** The body cannot be read: malformed chunked framing, or the client went away. */
export class BodyUnreadable extends Error {
  override readonly name = "BodyUnreadable";
  constructor(
    message: string,
    /** the client's fault (400) rather than a connection that ended */
    readonly malformed = false,
  ) {
    super(message);
  }
}

const HEAD_END = Buffer.from("\r\n\r\n");
/** Body bytes held before the handler asks for them, and pipelined bytes held while a request is served. */
const UNREAD_BYTES = 64 * 1024;
/** Bodies up to this size go out in one buffer together with the head; larger ones in a second write. */
const ONE_WRITE_BYTES = 16 * 1024;
/** A closing connection whose client does not close its side is destroyed after this. */
const LINGER_MS = 5_000;

/** The start of a request line not yet complete: a method (token characters), then a space or nothing yet. */
const REQUEST_LINE_START = new RegExp(`^[${TOKEN_CHARS}]{1,32}( |$)`);

function looksLikeRequestLine(buffer: Buffer, start: number): boolean {
  const lineEnd = buffer.indexOf("\r\n", start, "latin1");
  if (lineEnd !== -1) return "method" in parseRequestLine(buffer.toString("latin1", start, lineEnd));
  return REQUEST_LINE_START.test(buffer.toString("latin1", start, Math.min(buffer.length, start + 33)));
}

const IDLE = 0;
const HEAD = 1;
const REQUEST = 2;
const CLOSING = 3;

interface BodyReader {
  resolve(body: Buffer): void;
  reject(error: Error): void;
  maxBytes: number;
  since: number;
}

export class Http1Connection implements ExchangeOwner {
  private phase = IDLE;
  private since = performance.now();
  private pending: Buffer | undefined;
  private paused = false;
  private destroyed = false;
  private current: Http1Exchange | undefined;
  // the current request's body
  private bodyLeft = 0;
  private chunked: ChunkedBody | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private complete = true;
  private bodyError: string | undefined;
  private reader: BodyReader | undefined;
  private continueSent = false;
  /** the server is draining: answer the request in progress with connection: close, start no other */
  private draining = false;
  private readonly remoteAddress: string;
  private readonly writes: HeldWrites;

  constructor(
    private readonly socket: Socket,
    private readonly handler: Http1Handler,
    private readonly limits: Http1Limits,
    private readonly onGone: (connection: Http1Connection) => void,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.writes = new HeldWrites(socket);
    socket.setNoDelay(true);
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.destroy());
  }

  /** Called by the server's sweep with the current time (performance.now(): timeouts are durations, so monotonic). */
  sweep(now: number): void {
    if (this.destroyed) return;
    switch (this.phase) {
      case IDLE:
        if (now - this.since > this.limits.keepAliveTimeoutMs) this.destroy();
        return;
      case HEAD:
        if (now - this.since > this.limits.headersTimeoutMs) this.refuse(408);
        return;
      case REQUEST:
        if (this.reader && now - this.reader.since > this.limits.bodyTimeoutMs) {
          const reader = this.reader;
          this.reader = undefined;
          this.pause();
          reader.reject(new BodyTimeout(`request body not received within ${this.limits.bodyTimeoutMs} ms`));
        }
        return;
      case CLOSING:
        if (now - this.since > LINGER_MS) this.destroy();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // A response still held for the end of this turn (held-writes.ts) goes to the kernel before the close.
    this.writes.release();
    this.socket.destroy();
    const reader = this.reader;
    this.reader = undefined;
    reader?.reject(new BodyUnreadable("the client closed the connection"));
    this.onGone(this);
  }

  /** A request is being served (a draining server waits for these). */
  get busy(): boolean {
    return this.phase === REQUEST && !this.destroyed;
  }

  /** For a draining server: an idle connection closes now, a busy one right after its response. */
  drain(): void {
    this.draining = true;
    if (this.phase !== REQUEST) this.destroy();
  }

  /** Bytes read off the socket: its own Buffer, or a view of the shared read buffer valid only during this call. */
  receive(chunk: Buffer): void {
    if (this.phase === CLOSING || this.destroyed) return;
    if (this.current) {
      let rest: Buffer | undefined = chunk;
      if (!this.complete && this.bodyError === undefined) {
        const end = this.consumeBody(chunk, 0);
        rest = end >= 0 && end < chunk.length ? chunk.subarray(end) : undefined;
        this.bodyProgress();
      }
      if (rest) {
        this.pending = this.pending ? Buffer.concat([this.pending, rest]) : keep(rest);
        if (this.pending.length > UNREAD_BYTES) this.pause();
      }
      return;
    }
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.next();
    // What next() left for later must not be a view of the shared buffer.
    if (this.pending) this.pending = keep(this.pending);
  }

  /** Starts the next request in `pending`, if its head is complete. */
  private next(): void {
    const buffer = this.pending;
    if (!buffer || this.current || this.phase === CLOSING || this.destroyed) return;
    let start = 0;
    // RFC 9112 §2.2: a server SHOULD ignore empty lines received before a request line.
    while (start + 1 < buffer.length && buffer[start] === 13 && buffer[start + 1] === 10) start += 2;
    const end = buffer.indexOf(HEAD_END, start);
    if (end === -1) {
      if (buffer.length - start > this.limits.maxHeadBytes) return this.refuse(431);
      if (buffer.indexOf("\n\n", start, "latin1") !== -1) return this.refuse(400);
      // Not HTTP at all (a TLS hello, a stray protocol): say so now rather than at the headers timeout.
      if (start < buffer.length && !looksLikeRequestLine(buffer, start)) return this.refuse(400);
      if (this.phase === IDLE && start < buffer.length) {
        this.phase = HEAD;
        this.since = performance.now();
      }
      this.pending = start === buffer.length ? undefined : buffer.subarray(start);
      return;
    }
    if (end - start > this.limits.maxHeadBytes) return this.refuse(431);
    const head = parseRequestHead(buffer.toString("latin1", start, end));
    if (!("method" in head)) return this.refuse(head.status);

    this.phase = REQUEST;
    this.parts = [];
    this.size = 0;
    this.bodyError = undefined;
    this.continueSent = false;
    this.chunked = head.chunked ? new ChunkedBody() : undefined;
    this.bodyLeft = head.bodyLength;
    this.complete = !head.chunked && head.bodyLength === 0;
    let at = end + 4;
    if (!this.complete && at < buffer.length) {
      const bodyEnd = this.consumeBody(buffer, at);
      at = bodyEnd < 0 ? buffer.length : bodyEnd;
    }
    this.pending = at < buffer.length ? buffer.subarray(at) : undefined;
    if ((!this.complete && this.size > UNREAD_BYTES) || (this.pending?.length ?? 0) > UNREAD_BYTES)
      this.pause();
    const exchange = new Http1Exchange(this, head, this.remoteAddress);
    this.current = exchange;
    try {
      this.handler(exchange);
    } catch {
      // A handler must answer through its exchange; one that threw instead must not leave the connection hanging.
      if (!exchange.responded) this.respond(exchange, 500, [], "");
    }
  }

  /** Takes body bytes from data[at...]; returns where the body ended in `data`, or -1 if it needs more. */
  private consumeBody(data: Buffer, at: number): number {
    if (this.chunked) {
      const result = this.chunked.feed(data, at, keep);
      if (typeof result === "string") {
        this.bodyError = result;
        return -1;
      }
      this.size = this.chunked.size;
      if (result >= 0) this.complete = true;
      return result;
    }
    const take = Math.min(this.bodyLeft, data.length - at);
    this.parts.push(keep(at === 0 && take === data.length ? data : data.subarray(at, at + take)));
    this.size += take;
    this.bodyLeft -= take;
    if (this.bodyLeft === 0) {
      this.complete = true;
      return at + take;
    }
    return -1;
  }

  /** After body bytes arrived: settle a waiting reader, or stop reading if nobody asked for them yet. */
  private bodyProgress(): void {
    const reader = this.reader;
    if (!reader) {
      if (this.size > UNREAD_BYTES && !this.complete) this.pause();
      return;
    }
    if (this.bodyError !== undefined) {
      this.reader = undefined;
      reader.reject(new BodyUnreadable(this.bodyError, true));
    } else if (this.size > reader.maxBytes) {
      this.reader = undefined;
      this.pause();
      reader.reject(new BodyTooLarge(`the body is larger than ${reader.maxBytes} bytes`));
    } else if (this.complete) {
      this.reader = undefined;
      reader.resolve(this.body());
    }
  }

  private body(): Buffer {
    const parts = this.chunked ? this.chunked.parts : this.parts;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.size);
  }

  // ---- the exchange's side ----

  bodyIfComplete(exchange: Http1Exchange, maxBytes: number): Buffer | undefined {
    if (exchange !== this.current || this.reader || this.destroyed || this.bodyError !== undefined)
      return undefined;
    return this.complete && this.size <= maxBytes ? this.body() : undefined;
  }

  readBody(exchange: Http1Exchange, maxBytes: number): Promise<Buffer> {
    if (exchange !== this.current || this.reader)
      return Promise.reject(new Error("the body is not readable now"));
    if (this.destroyed) return Promise.reject(new BodyUnreadable("the client closed the connection"));
    if (this.bodyError !== undefined) return Promise.reject(new BodyUnreadable(this.bodyError, true));
    if (this.size > maxBytes)
      return Promise.reject(new BodyTooLarge(`the body is larger than ${maxBytes} bytes`));
    if (this.complete) return Promise.resolve(this.body());
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject, maxBytes, since: performance.now() };
      if (exchange.head.expectContinue && !this.continueSent) {
        this.continueSent = true;
        this.writes.writeNow("HTTP/1.1 100 Continue\r\n\r\n");
      }
      this.resume();
    });
  }

  respond(
    exchange: Http1Exchange,
    status: number,
    headers: ReadonlyArray<readonly [string, string]>,
    body: string | Buffer,
  ): void {
    if (exchange !== this.current || exchange.responded) throw new Error("this request was already answered");
    if (!Number.isInteger(status) || status < 200 || status > 599)
      throw new InvalidResponseHeader(`status ${status} cannot be a final response`);
    const { head } = exchange;
    // The rest of an unread body cannot be skipped reliably: close rather than guess where the next request starts.
    let close = head.close || !this.complete || this.bodyError !== undefined || this.draining;
    for (const [name, value] of headers) {
      if (name.length === 10 && name.toLowerCase() === "connection" && /close/i.test(value)) close = true;
    }
    const withBody = !hasNoBody(status);
    const bodyBytes = !withBody
      ? 0
      : typeof body === "string"
        ? Buffer.byteLength(body, "utf8")
        : body.length;
    const text = responseHead(status, headers, {
      contentLength: withBody ? bodyBytes : undefined,
      connection: close ? "close" : head.httpVersion === "1.0" ? "keep-alive" : undefined,
    });
    exchange.responded = true;
    exchange.statusCode = status;
    if (this.destroyed) return;
    let flushed: boolean;
    if (bodyBytes === 0 || head.method === "HEAD") flushed = this.writes.write(text);
    else if (bodyBytes <= ONE_WRITE_BYTES && typeof body === "string" && bodyBytes === body.length) {
      // An ASCII body (its UTF-8 length is its length) reads the same in Latin-1, as the head is written: head and
      // body go as one string, a byte per character, with no Buffer allocated and copied here.
      flushed = this.writes.write(text + body);
    } else if (bodyBytes <= ONE_WRITE_BYTES) {
      const headBytes = text.length;
      const out = Buffer.allocUnsafe(headBytes + bodyBytes);
      out.write(text, 0, "latin1");
      if (typeof body === "string") out.write(body, headBytes, "utf8");
      else body.copy(out, headBytes);
      flushed = this.writes.write(out);
    } else {
      // Held, so head and body still leave together. A held string is written as Latin-1: text is encoded here.
      this.writes.write(text);
      flushed = this.writes.write(typeof body === "string" ? Buffer.from(body, "utf8") : body);
    }
    this.finish(close, flushed);
  }

  private finish(close: boolean, flushed: boolean): void {
    this.current = undefined;
    const reader = this.reader;
    this.reader = undefined;
    reader?.reject(new BodyUnreadable("the response was sent before the body was read"));
    this.parts = [];
    this.chunked = undefined;
    this.since = performance.now();
    if (close) {
      this.phase = CLOSING;
      this.pending = undefined;
      this.writes.end();
      return;
    }
    this.phase = IDLE;
    if (!flushed) {
      this.writes.whenDrained(() => {
        this.resume();
        this.next();
      });
      return;
    }
    this.resume();
    // A pipelined request starts after the handler that answered this one has returned, not inside it.
    if (this.pending) queueMicrotask(() => this.next());
  }

  /** Answers a request the server refuses before any handler sees it, and closes. */
  private refuse(status: 400 | 408 | 417 | 431 | 501): void {
    this.pending = undefined;
    this.phase = CLOSING;
    this.since = performance.now();
    this.writes.end(responseHead(status, [], { contentLength: 0, connection: "close" }));
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }
}

/** `bytes` as a Buffer that outlives the read that delivered it: a copy when it is a view of the shared buffer. */
function keep(bytes: Buffer): Buffer {
  return isSharedReadBuffer(bytes) ? Buffer.from(bytes) : bytes;
}
