// One keep-alive HTTP/1.1 connection to one agent, carrying one POST /invoke at a time. It only needs to
// understand the agent's replies (api/agent.ts): a status line, headers and a Content-Length body. Written on
// net sockets because a general HTTP client (undici) cost about as much CPU per request as the rest of the
// gateway's invoke path: one write per request (head and body), one parse of the reply, no streams.
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { ChunkedBody } from "../http1/chunked-body.js";
import { HeldWrites } from "../http1/held-writes.js";
import { parseReplyHead, type AgentReplyHeaders, type ReplyHead } from "./reply-head.js";
import type { Cancellation } from "./cancellation.js";

/** The agent's reply: its status, body and the agent headers the gateway reads (api/agent.ts AgentHeaders). */
export interface AgentResponse extends AgentReplyHeaders {
  status: number;
  body: Buffer;
}

export class ResponseTooLarge extends Error {
  override readonly name = "ResponseTooLarge";
}

/** A reply this client does not understand, or a connection that broke: the call failed in transport. */
export class AgentTransportError extends Error {
  override readonly name = "AgentTransportError";
}

/** Called once per request: with the whole reply, or with why there is none. */
export type AgentReplyCallback = (error: Error | undefined, response?: AgentResponse) => void;

interface Exchange {
  done: AgentReplyCallback;
  maxBytes: number;
  signal: Cancellation;
}

const HEADER_END = Buffer.from("\r\n\r\n");
/** The agent's reply heads are a few hundred bytes; a much larger one is not an agent talking. */
const MAX_HEAD_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Every agent connection reads into this one buffer (net's `onread`): a reply is handled synchronously in the
 * read callback, and what outlives it (a partial head, body bytes) is copied out. This skips the readable
 * stream a socket otherwise pushes each chunk through, and a Buffer object per read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export class AgentConnection {
  private readonly socket: Socket;
  private readonly writes: HeldWrites;
  private exchange: Exchange | undefined;
  /** the start of a reply head that has not fully arrived */
  private pendingHead: Buffer | undefined;
  /** the reply being read, once its head is in */
  private head: ReplyHead | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private complete = false;
  /** the decoder of a chunked reply */
  private chunked: ChunkedBody | undefined;
  closed = false;
  idleSince = 0;
  /** One listener per connection, not per request: cancelling a call destroys its connection. */
  private readonly cancel = (reason: Error) => this.destroy(reason);

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (connection: AgentConnection) => void,
    private readonly onClosed: (connection: AgentConnection) => void,
  ) {
    this.socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes) => {
          this.onData(READ_BUFFER.subarray(0, bytes));
          return true;
        },
      },
    });
    this.socket.setTimeout(CONNECT_TIMEOUT_MS);
    this.writes = new HeldWrites(this.socket);
    this.socket.on("connect", () => this.socket.setTimeout(0));
    this.socket.on("timeout", () =>
      this.destroy(new AgentTransportError("connecting to the agent timed out")),
    );
    this.socket.on("error", (error) => this.destroy(error));
    this.socket.on("close", () => this.destroy(new AgentTransportError("the agent closed the connection")));
  }

  /**
   * Sends one request (head and body in one write) and calls `done` with the whole reply. Cancelling `signal`
   * destroys the connection (the agent sees the request end) and calls `done` with the cancellation's reason.
   * A callback, not a promise: the invoke path waits for the reply once, without a promise and microtask per
   * layer (docs/gateway-performance.md "Eighth round").
   */
  send(request: Buffer | string, maxBytes: number, signal: Cancellation, done: AgentReplyCallback): void {
    this.exchange = { done, maxBytes, signal };
    signal.onAbort(this.cancel);
    // A string request is ASCII (AgentPool.call): Latin-1 writes it a byte per character, without UTF-8's pass.
    // Sent now, not held to the turn's end: the agent starts on it while the gateway handles the rest of its
    // batch (docs/gateway-performance.md "Thirteenth round": ~+3% req/s against holding it).
    this.writes.writeNow(request);
  }

  /** Ends the connection; a pending exchange fails with `reason`. */
  destroy(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const exchange = this.exchange;
    this.exchange = undefined;
    exchange?.signal.clearListener();
    this.onClosed(this);
    exchange?.done(reason);
  }

  /** `chunk` is a view of READ_BUFFER, valid only during this call. */
  private onData(chunk: Buffer): void {
    const exchange = this.exchange;
    if (!exchange) {
      this.destroy(new AgentTransportError("the agent sent bytes nobody asked for"));
      return;
    }
    let data = chunk;
    if (!this.head) {
      data = this.pendingHead ? Buffer.concat([this.pendingHead, chunk]) : chunk;
      this.pendingHead = undefined;
      // A head that came in pieces is parsed once, when its blank line is in: not again for every piece.
      const head =
        data !== chunk && data.indexOf(HEADER_END) === -1 ? undefined : parseReplyHead(data, data.length);
      if (head === undefined) {
        if (data.length > MAX_HEAD_BYTES)
          this.destroy(new AgentTransportError("the agent's reply head is too large"));
        else this.pendingHead = data === chunk ? Buffer.from(chunk) : data;
        return;
      }
      if (typeof head === "string") return this.destroy(new AgentTransportError(head));
      this.head = head;
      this.parts = [];
      this.size = 0;
      this.chunked = head.length < 0 ? new ChunkedBody() : undefined;
      data = data.subarray(head.bodyStart);
      if (head.length > exchange.maxBytes) return this.tooLarge(exchange);
    }
    const problem = this.head.length >= 0 ? this.readLength(data) : this.readChunked(data);
    if (problem) return this.destroy(new AgentTransportError(problem));
    if (this.size > exchange.maxBytes) return this.tooLarge(exchange);
    if (this.complete) this.finish(exchange);
  }

  private readLength(data: Buffer): string | undefined {
    if (data.length > 0) this.parts.push(Buffer.from(data));
    this.size += data.length;
    if (this.size > this.head!.length) return "the agent sent more than its Content-Length";
    this.complete = this.size === this.head!.length;
    return undefined;
  }

  /** Decodes chunked transfer coding as it arrives (the real agent never uses it; simple HTTP servers do). */
  private readChunked(data: Buffer): string | undefined {
    const chunked = this.chunked!;
    const end = chunked.feed(Buffer.from(data), 0);
    if (typeof end === "string") return `the agent's reply: ${end}`;
    this.size = chunked.size;
    if (end === -1) return undefined;
    if (end < data.length) return "the agent sent bytes after its reply";
    this.parts = chunked.parts;
    this.complete = true;
    return undefined;
  }

  private tooLarge(exchange: Exchange): void {
    this.destroy(new ResponseTooLarge(`the function's response is larger than ${exchange.maxBytes} bytes`));
  }

  private finish(exchange: Exchange): void {
    const { status, headers, close } = this.head!;
    const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.head = undefined;
    this.parts = [];
    this.complete = false;
    this.exchange = undefined;
    exchange.signal.clearListener();
    if (close) this.destroy(new AgentTransportError("closed after the reply"));
    else {
      this.idleSince = performance.now();
      this.onIdle(this);
    }
    exchange.done(undefined, {
      status,
      body,
      functionError: headers.functionError,
      logResult: headers.logResult,
      durationMs: headers.durationMs,
    });
  }
}
