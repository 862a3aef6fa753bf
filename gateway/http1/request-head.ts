// Parses and judges one HTTP/1.1 request head (RFC 9112), strictly: anything two parsers could read
// differently — the raw material of request smuggling — is refused rather than guessed at. Bare LF or CR line
// ends, obs-fold, whitespace before a header's colon, Content-Length together with Transfer-Encoding,
// conflicting or non-numeric Content-Length, a transfer coding other than "chunked": all 400 (501 for an
// unknown coding), and the connection is closed after the answer.
import type { IncomingHttpHeaders } from "node:http";
import { lowerCaseToken } from "./header-names.js";
import { INVALID_FIELD_VALUE_CHAR, NON_ASCII, TOKEN } from "./http-syntax.js";

export interface RequestHead {
  method: string;
  /** the request-target as sent: origin-form ("/a?b"), "*" (OPTIONS), or absolute-form */
  url: string;
  httpVersion: "1.0" | "1.1";
  /** name, value, name, value... as sent (original case, duplicates kept), like node's rawHeaders */
  rawHeaders: string[];
  /** lower-cased names, duplicates joined as node:http joins them (IncomingMessage.headers) */
  headers: IncomingHttpHeaders;
  /** body framing: a length (0 = no body) or chunked */
  bodyLength: number;
  chunked: boolean;
  /** the client asked to close (Connection: close, or HTTP/1.0 without keep-alive) */
  close: boolean;
  /** Expect: 100-continue */
  expectContinue: boolean;
  /** no byte of the head is above 0x7f (only header values may hold such bytes) */
  ascii: boolean;
  /**
   * no `"`, `\` or tab in the head: every string taken from it (values, target, host) is JSON string text as it
   * stands, since the parser refuses every other character JSON escapes
   */
  jsonSafe: boolean;
}

/** A head the server refuses: answered with `status` and the connection closed. */
export interface HeadRejection {
  status: 400 | 417 | 501;
  reason: string;
}

/** visible ASCII only: no space, no control characters, no bytes above 0x7e */
const TARGET = /^[\x21-\x7e]+$/;
const DIGITS = /^\d+$/;
/** what JSON escapes and a head may hold: quote, backslash, tab (other controls are refused) */
const JSON_ESCAPED = /["\\\t]/;
/**
 * The common head in one scan: visible ASCII and spaces, no quote or backslash, CR and LF only as line ends. Such a
 * head is ASCII and JSON-safe, and no value in it holds a character a field value must not.
 */
const PLAIN_HEAD = /^[\x20\x21\x23-\x5b\x5d-\x7e]*(?:\r\n[\x20\x21\x23-\x5b\x5d-\x7e]*)*$/;

/** Header fields where node:http keeps the first value and drops repeats (IncomingMessage.headers). */
const SINGLE_VALUED = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

/** The request line (method, request-target, version), or why it is refused. */
export function parseRequestLine(
  line: string,
): Pick<RequestHead, "method" | "url" | "httpVersion"> | HeadRejection {
  const firstSpace = line.indexOf(" ");
  const lastSpace = line.lastIndexOf(" ");
  if (firstSpace <= 0 || lastSpace === firstSpace) return reject("malformed request line");
  const method = line.slice(0, firstSpace);
  const url = line.slice(firstSpace + 1, lastSpace);
  const version = line.slice(lastSpace + 1);
  if (!TOKEN.test(method)) return reject("malformed method");
  if (!TARGET.test(url)) return reject("malformed request-target");
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return reject("unsupported HTTP version");
  if (url[0] !== "/" && !(url === "*" && method === "OPTIONS") && !/^https?:\/\//i.test(url))
    return reject("unsupported request-target form");
  return { method, url, httpVersion: version === "HTTP/1.1" ? "1.1" : "1.0" };
}

/** `head` is the latin1 text of the head without its final CRLFCRLF. */
export function parseRequestHead(head: string): RequestHead | HeadRejection {
  let lineEnd = head.indexOf("\r\n");
  const line = parseRequestLine(lineEnd === -1 ? head : head.slice(0, lineEnd));
  if (!("method" in line)) return line;
  const { method, url, httpVersion } = line;

  const plain = PLAIN_HEAD.test(head);
  const rawHeaders: string[] = [];
  const headers: IncomingHttpHeaders = Object.create(null) as IncomingHttpHeaders;
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let hosts = 0;
  let connection = "";
  let expect: string | undefined;
  while (lineEnd !== -1) {
    const start = lineEnd + 2;
    lineEnd = head.indexOf("\r\n", start);
    const end = lineEnd === -1 ? head.length : lineEnd;
    const colon = head.indexOf(":", start);
    if (colon <= start || colon >= end) return reject("malformed header line");
    const name = head.slice(start, colon);
    // Refuses obs-fold (a leading space or tab), whitespace before the colon, and CR/LF/NUL in a name.
    const lower = lowerCaseToken(name);
    if (lower === undefined) return reject("malformed header name");
    const value = trimmedSlice(head, colon + 1, end);
    if (!plain && INVALID_FIELD_VALUE_CHAR.test(value))
      return reject(`header ${name} holds a control character`);
    rawHeaders.push(name, value);
    switch (lower) {
      case "content-length":
        contentLength = contentLength === undefined ? value : `${contentLength},${value}`;
        break;
      case "transfer-encoding":
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
        break;
      case "host":
        hosts++;
        break;
      case "connection":
        connection += `,${value.toLowerCase()}`;
        break;
      case "expect":
        expect = value.toLowerCase();
        break;
    }
    addHeader(headers, lower, value);
  }

  if (httpVersion === "1.1" && hosts !== 1)
    return reject(hosts === 0 ? "no Host header" : "two Host headers");
  let bodyLength = 0;
  let chunked = false;
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) return reject("Content-Length together with Transfer-Encoding");
    if (httpVersion === "1.0") return reject("Transfer-Encoding in an HTTP/1.0 request");
    const codings = transferEncoding.split(",").map((c) => trimOws(c).toLowerCase());
    if (codings[codings.length - 1] !== "chunked") return reject("chunked is not the final transfer coding");
    if (codings.length > 1) return { status: 501, reason: "transfer codings other than chunked" };
    chunked = true;
  } else if (contentLength !== undefined) {
    bodyLength = DIGITS.test(contentLength) ? Number(contentLength) : listedLength(contentLength);
    if (!Number.isSafeInteger(bodyLength)) return reject("invalid Content-Length");
  }
  const close =
    connection === ""
      ? httpVersion === "1.0"
      : httpVersion === "1.1"
        ? connection.split(",").includes("close")
        : !connection.split(",").includes("keep-alive");
  let expectContinue = false;
  if (expect !== undefined && httpVersion === "1.1") {
    if (expect !== "100-continue") return { status: 417, reason: "unsupported expectation" };
    expectContinue = true;
  }
  const ascii = plain || !NON_ASCII.test(head);
  const jsonSafe = plain || !JSON_ESCAPED.test(head);
  return {
    method,
    url,
    httpVersion,
    rawHeaders,
    headers,
    bodyLength,
    chunked,
    close,
    expectContinue,
    ascii,
    jsonSafe,
  };
}

function reject(reason: string): HeadRejection {
  return { status: 400, reason };
}

/** Content-Length sent as a list ("5, 5") or repeated: the one length all entries agree on, else NaN. */
function listedLength(contentLength: string): number {
  const values = contentLength.split(",").map(trimOws);
  return values.every((v) => DIGITS.test(v) && v === values[0]) ? Number(values[0]) : NaN;
}

/** text[start, end) without the optional whitespace (spaces and tabs) around it. */
function trimmedSlice(text: string, start: number, end: number): string {
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return text.slice(start, end);
}

const trimOws = (text: string): string => trimmedSlice(text, 0, text.length);

/** As node:http builds IncomingMessage.headers: see SINGLE_VALUED; set-cookie a list; cookie joined by "; ". */
function addHeader(headers: IncomingHttpHeaders, lower: string, value: string): void {
  const existing = headers[lower];
  if (existing === undefined) {
    headers[lower] = lower === "set-cookie" ? [value] : value;
    return;
  }
  if (SINGLE_VALUED.has(lower)) return;
  if (lower === "set-cookie") (existing as string[]).push(value);
  else headers[lower] = `${existing as string}${lower === "cookie" ? "; " : ", "}${value}`;
}
