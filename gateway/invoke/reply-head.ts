// The head of an agent's reply, read off its bytes: the status, the body's framing, whether the agent closes, and
// the three X-Kappa headers the gateway reads (api/agent.ts AgentHeaders). One pass over the bytes, matching
// header names by length and letter; the only strings made are the X-Kappa values. Turning the head into text
// and slicing, trimming and lower-casing every line cost the gateway ~0.4 us per request more
// (docs/gateway-performance.md "Eighth round").
import { AgentHeaders } from "../../api/agent.js";

/** The last value of each, as sent (the agent sends each at most once); other headers are not kept. */
export interface AgentReplyHeaders {
  functionError?: string;
  logResult?: string;
  durationMs?: string;
}

export interface ReplyHead {
  status: number;
  headers: AgentReplyHeaders;
  /** Content-Length, or -1 for a chunked reply */
  length: number;
  close: boolean;
  /** where the body starts: just past the blank line that ends the head */
  bodyStart: number;
}

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const CONTENT_LENGTH = ascii("content-length");
const TRANSFER_ENCODING = ascii("transfer-encoding");
const CONNECTION = ascii("connection");
const FUNCTION_ERROR = ascii(AgentHeaders.functionError);
const LOG_RESULT = ascii(AgentHeaders.logResult);
const DURATION_MS = ascii(AgentHeaders.durationMs);
const CHUNKED = ascii("chunked");
const CLOSE = ascii("close");
const HTTP_1 = ascii("HTTP/1.");

const lower = (byte: number): number => (byte >= 65 && byte <= 90 ? byte + 32 : byte);

/** bytes[start, end) is `word` (lower case) in any case. */
function matches(bytes: Buffer, start: number, end: number, word: number[]): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(bytes[start + i]!) !== word[i]) return false;
  return true;
}

/**
 * The reply head at the start of bytes[0, end); undefined while its blank line has not arrived, or what is wrong
 * with it.
 */
export function parseReplyHead(bytes: Buffer, end: number): ReplyHead | string | undefined {
  // The status line: "HTTP/1.0 " or "HTTP/1.1 ", three digits, then a space or the line's end.
  let lineEnd = lineEndFrom(bytes, 0, end);
  if (lineEnd === -1) return undefined;
  if (!startsLikeStatus(bytes) || (lineEnd > 12 && bytes[12] !== SP)) return notStatusLine;
  const status = (bytes[9]! - 48) * 100 + (bytes[10]! - 48) * 10 + (bytes[11]! - 48);

  const headers: AgentReplyHeaders = {};
  let length = -2;
  let codingStart = -1;
  let codingEnd = -1;
  let close = false;
  for (;;) {
    const start = lineEnd + 2;
    lineEnd = lineEndFrom(bytes, start, end);
    if (lineEnd === -1) return undefined;
    if (lineEnd === start) break;
    let colon = start;
    while (colon < lineEnd && bytes[colon] !== COLON) colon++;
    if (colon === start || colon === lineEnd) return "the agent's reply has a malformed header line";
    let nameStart = start;
    let nameEnd = colon;
    while (nameStart < nameEnd && isOws(bytes[nameStart]!)) nameStart++;
    while (nameEnd > nameStart && isOws(bytes[nameEnd - 1]!)) nameEnd--;
    let valueStart = colon + 1;
    let valueEnd = lineEnd;
    while (valueStart < valueEnd && isOws(bytes[valueStart]!)) valueStart++;
    while (valueEnd > valueStart && isOws(bytes[valueEnd - 1]!)) valueEnd--;
    switch (nameEnd - nameStart) {
      case CONTENT_LENGTH.length:
        if (matches(bytes, nameStart, nameEnd, CONTENT_LENGTH)) length = digits(bytes, valueStart, valueEnd);
        break;
      case TRANSFER_ENCODING.length:
        if (matches(bytes, nameStart, nameEnd, TRANSFER_ENCODING)) {
          codingStart = valueStart;
          codingEnd = valueEnd;
        }
        break;
      case CONNECTION.length:
        if (matches(bytes, nameStart, nameEnd, CONNECTION))
          close = matches(bytes, valueStart, valueEnd, CLOSE);
        break;
      case FUNCTION_ERROR.length:
        if (matches(bytes, nameStart, nameEnd, FUNCTION_ERROR))
          headers.functionError = bytes.toString("latin1", valueStart, valueEnd);
        break;
      case LOG_RESULT.length:
        if (matches(bytes, nameStart, nameEnd, LOG_RESULT))
          headers.logResult = bytes.toString("latin1", valueStart, valueEnd);
        break;
      case DURATION_MS.length:
        if (matches(bytes, nameStart, nameEnd, DURATION_MS))
          headers.durationMs = bytes.toString("latin1", valueStart, valueEnd);
        break;
    }
  }
  const bodyStart = lineEnd + 2;
  if (codingStart !== -1) {
    if (!matches(bytes, codingStart, codingEnd, CHUNKED))
      return `the agent's reply uses transfer coding "${bytes.toString("latin1", codingStart, codingEnd)}"`;
    return { status, headers, length: -1, close, bodyStart };
  }
  if (length < 0) return "the agent's reply has no valid Content-Length";
  return { status, headers, length, close, bodyStart };
}

const notStatusLine = "the agent's reply does not start with an HTTP/1.1 status line";

function startsLikeStatus(bytes: Buffer): boolean {
  for (let i = 0; i < HTTP_1.length; i++) if (bytes[i] !== HTTP_1[i]) return false;
  const minor = bytes[7];
  return (
    (minor === 48 || minor === 49) &&
    bytes[8] === SP &&
    isDigit(bytes[9]) &&
    isDigit(bytes[10]) &&
    isDigit(bytes[11])
  );
}

/** The index of the CR of the next CRLF at or after `from`, or -1 if none before `end`. */
function lineEndFrom(bytes: Buffer, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (bytes[i] === CR && bytes[i + 1] === LF) return i;
  return -1;
}

const isOws = (byte: number): boolean => byte === SP || byte === HT;
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 48 && byte <= 57;

/** A decimal Content-Length in bytes[start, end), or -2 if it is not one (empty, not digits, too large). */
function digits(bytes: Buffer, start: number, end: number): number {
  if (start === end || end - start > 15) return -2;
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < 48 || byte > 57) return -2;
    value = value * 10 + (byte - 48);
  }
  return value;
}
