// The bytes of a response head: status line, the handler's headers (validated: a bad name or value must never
// split the response), Date, framing and Connection as the connection decided them.
import { STATUS_CODES } from "node:http";
import { boundedMemo } from "../bounded-memo.js";
import { lastNumberText } from "../number-text.js";
import { lowerCaseToken } from "./header-names.js";
import { INVALID_FIELD_VALUE_CHAR } from "./http-syntax.js";

/** framing and connection management are the server's */
const RESERVED = new Set(["content-length", "transfer-encoding", "connection", "date", "keep-alive"]);

export class InvalidResponseHeader extends Error {
  override readonly name = "InvalidResponseHeader";
}

// The head is joined from as few pieces as it can be: each join is a node V8 walks when the socket write flattens
// the head (docs/gateway-performance.md "Twelfth round"). So each piece made once carries the line end before it:
// the status line has none of its own, a header's "\r\nname: " is made once per name, and the date line and the
// last Content-Length line are kept whole.

let dateLine: string | undefined;
const forgetDate = () => {
  dateLine = undefined;
};

/**
 * The Date header line, kept until the second it names ends (as node:http keeps its own): no clock read per
 * response.
 */
function httpDateLine(): string {
  if (dateLine === undefined) {
    const now = Date.now();
    dateLine = `\r\ndate: ${new Date(now).toUTCString()}`;
    setTimeout(forgetDate, 1000 - (now % 1000)).unref();
  }
  return dateLine;
}

/** Status lines (without their line end) by status code, made once each. */
const statusLines: string[] = [];

function statusLine(status: number): string {
  const line = statusLines[status];
  if (line !== undefined) return line;
  const made = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}`;
  if (Number.isInteger(status) && status >= 100 && status <= 599) statusLines[status] = made;
  return made;
}

/** "\r\nname: " for each header name a response was written with; bounded for a handler inventing names. */
const fieldStart = boundedMemo(512, (name: string) => `\r\n${name}: `);

const contentLengthLine = lastNumberText("\r\ncontent-length: ");

export interface HeadFraming {
  /** Content-Length to send; undefined for a response that has no body by definition (204, 304) */
  contentLength: number | undefined;
  /** "close", "keep-alive" (an HTTP/1.0 client that asked for it) or undefined (HTTP/1.1 persistent) */
  connection: "close" | "keep-alive" | undefined;
}

export function responseHead(
  status: number,
  headers: ReadonlyArray<readonly [string, string]>,
  framing: HeadFraming,
): string {
  let head = statusLine(status);
  for (const [name, value] of headers) {
    const lower = lowerCaseToken(name);
    if (lower === undefined)
      throw new InvalidResponseHeader(`invalid response header name ${JSON.stringify(name)}`);
    if (INVALID_FIELD_VALUE_CHAR.test(value))
      throw new InvalidResponseHeader(`response header ${name} holds invalid characters`);
    if (RESERVED.has(lower)) continue;
    head += fieldStart(name) + value;
  }
  head += httpDateLine();
  if (framing.contentLength !== undefined) head += contentLengthLine(framing.contentLength);
  if (framing.connection)
    head += framing.connection === "close" ? "\r\nconnection: close" : "\r\nconnection: keep-alive";
  return head + "\r\n\r\n";
}

/** Status codes whose responses never carry a body (RFC 9110 §6.4.1); 1xx are not final responses at all. */
export const hasNoBody = (status: number): boolean => status === 204 || status === 304;
