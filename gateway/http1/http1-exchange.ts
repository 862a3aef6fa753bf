// One request on the function port and the means to answer it: what the handler sees instead of node's
// IncomingMessage/ServerResponse pair. The body is read only when asked for (readBody), so a request refused by
// the pipeline never costs a body read; the response is written in one call (respond).
import type { IncomingHttpHeaders } from "node:http";
import type { RequestHead } from "./request-head.js";

export type Http1Handler = (exchange: Http1Exchange) => void;

/** The connection an exchange belongs to (http1-connection.ts). */
export interface ExchangeOwner {
  readBody(exchange: Http1Exchange, maxBytes: number): Promise<Buffer>;
  bodyIfComplete(exchange: Http1Exchange, maxBytes: number): Buffer | undefined;
  respond(
    exchange: Http1Exchange,
    status: number,
    headers: ReadonlyArray<readonly [string, string]>,
    body: string | Buffer,
  ): void;
}

export class Http1Exchange {
  /** the status sent, once responded */
  statusCode = 0;
  responded = false;

  constructor(
    private readonly connection: ExchangeOwner,
    readonly head: RequestHead,
    /** the client's address as the socket has it (IPv4-mapped IPv6 included) */
    readonly remoteAddress: string,
  ) {}

  /** The same object for every request on this exchange's connection (an identity to key memos on). */
  get connectionKey(): object {
    return this.connection;
  }

  get method(): string {
    return this.head.method;
  }

  get url(): string {
    return this.head.url;
  }

  get httpVersion(): "1.0" | "1.1" {
    return this.head.httpVersion;
  }

  get headers(): IncomingHttpHeaders {
    return this.head.headers;
  }

  get rawHeaders(): readonly string[] {
    return this.head.rawHeaders;
  }

  /**
   * The whole body. Rejects with BodyTooLarge past maxBytes (as soon as that many bytes arrived), BodyTimeout
   * past the server's bodyTimeoutMs, BodyUnreadable for malformed chunked framing or a client that left.
   */
  readBody(maxBytes: number): Promise<Buffer> {
    return this.connection.readBody(this, maxBytes);
  }

  /**
   * The whole body if it has already arrived whole and within maxBytes (the usual case for small requests),
   * without a promise; otherwise undefined, and readBody says what happens.
   */
  bodyIfComplete(maxBytes: number): Buffer | undefined {
    return this.connection.bodyIfComplete(this, maxBytes);
  }

  /**
   * Sends the response: Date, Content-Length and Connection are the server's (a handler's own are dropped; a
   * "connection: close" from the handler closes the connection after the response). Throws
   * InvalidResponseHeader, before writing anything, for a header that could split the response.
   */
  respond(status: number, headers: ReadonlyArray<readonly [string, string]>, body: string | Buffer): void {
    this.connection.respond(this, status, headers, body);
  }
}
