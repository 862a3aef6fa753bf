// The agent reply's head read off its bytes (reply-head.ts): every outcome it can give, and, for random heads, the
// same reading as a plain text parser of the same rules (lines split on CRLF, names and values trimmed of spaces
// and tabs, names in any case, the last Content-Length and Transfer-Encoding counting).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseReplyHead, type ReplyHead } from "./reply-head.js";

const parse = (text: string) => {
  const bytes = Buffer.from(text, "latin1");
  return parseReplyHead(bytes, bytes.length);
};

test("status, framing, close and the X-Kappa headers of a complete head; the body starts after it", () => {
  const text =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length:  12 \r\nDate: x\r\n" +
    "X-Kappa-Function-Error: Unhandled\r\nx-kappa-log-result:\tbG9n\r\nX-KAPPA-DURATION-MS: 3.5\r\n" +
    'Connection: Close\r\n\r\n{"ok":true}!';
  assert.deepEqual(parse(text), {
    status: 200,
    headers: { functionError: "Unhandled", logResult: "bG9n", durationMs: "3.5" },
    length: 12,
    close: true,
    bodyStart: text.indexOf("{"),
  } satisfies ReplyHead);
});

test("a chunked reply, HTTP/1.0, and a status line without a reason", () => {
  const text = "HTTP/1.0 429\r\nTransfer-Encoding: Chunked\r\n\r\n";
  assert.deepEqual(parse(text), {
    status: 429,
    headers: {},
    length: -1,
    close: false,
    bodyStart: text.length,
  });
});

test("a head whose blank line has not arrived is not judged yet", () => {
  for (const partial of [
    "",
    "HTTP/1.1 2",
    "HTTP/1.1 200 OK\r\n",
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n",
    "HTTP/1.1 200 OK\r\nx: y\r\n\r",
  ])
    assert.equal(parse(partial), undefined, JSON.stringify(partial));
});

test("what is refused, and why", () => {
  const cases: Array<[string, RegExp]> = [
    ["HTTP/2 200 OK\r\ncontent-length: 0\r\n\r\n", /status line/],
    ["HTTP/1.1 20x OK\r\ncontent-length: 0\r\n\r\n", /status line/],
    ["HTTP/1.1 2000 OK\r\ncontent-length: 0\r\n\r\n", /status line/],
    ["SMTP ready\r\n\r\n", /status line/],
    ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /malformed header line/],
    ["HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", /malformed header line/],
    ["HTTP/1.1 200 OK\r\n\r\n", /no valid Content-Length/],
    ["HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n", /no valid Content-Length/],
    ["HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n", /no valid Content-Length/],
    ["HTTP/1.1 200 OK\r\ncontent-length: 1234567890123456\r\n\r\n", /no valid Content-Length/],
    ["HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n", /transfer coding "gzip"/],
  ];
  for (const [text, reason] of cases) {
    const result = parse(text);
    assert.equal(typeof result, "string", JSON.stringify(text));
    assert.match(result as string, reason, JSON.stringify(text));
  }
});

/** The same rules, read from text the obvious way: the reference for the random heads below. */
function reference(text: string): ReplyHead | string | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine!);
  if (!status) return "the agent's reply does not start with an HTTP/1.1 status line";
  const headers: ReplyHead["headers"] = {};
  let length: string | undefined;
  let coding: string | undefined;
  let close = false;
  const trim = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, "");
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return "the agent's reply has a malformed header line";
    const name = trim(line.slice(0, colon)).toLowerCase();
    const value = trim(line.slice(colon + 1));
    if (name === "content-length") length = value;
    else if (name === "transfer-encoding") coding = value;
    else if (name === "connection") close = value.toLowerCase() === "close";
    else if (name === "x-kappa-function-error") headers.functionError = value;
    else if (name === "x-kappa-log-result") headers.logResult = value;
    else if (name === "x-kappa-duration-ms") headers.durationMs = value;
  }
  const base = { status: Number(status[1]), headers, close, bodyStart: end + 4 };
  if (coding !== undefined) {
    return coding.toLowerCase() === "chunked"
      ? { ...base, length: -1 }
      : `the agent's reply uses transfer coding "${coding}"`;
  }
  if (length === undefined || !/^\d{1,15}$/.test(length))
    return "the agent's reply has no valid Content-Length";
  return { ...base, length: Number(length) };
}

test("random heads are read as the text reference reads them", () => {
  const name = fc.constantFrom(
    "Content-Length",
    "content-length",
    "Transfer-Encoding",
    "Connection",
    "X-Kappa-Function-Error",
    "x-kappa-log-result",
    "X-Kappa-Duration-Ms",
    "Date",
    "Keep-Alive",
    "X-Other",
    " Content-Length",
    "Content-Length\t",
  );
  const value = fc.oneof(
    fc.constantFrom(
      "0",
      "12",
      " 7 ",
      "chunked",
      "CHUNKED",
      "gzip",
      "close",
      "Close",
      "keep-alive",
      "x",
      "1x",
      "",
    ),
    fc.string({ unit: fc.constantFrom("a", "1", " ", "\t", ":", "\u00e9"), maxLength: 6 }),
  );
  const line = fc.oneof(
    { weight: 9, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}:${v}`) },
    { weight: 1, arbitrary: fc.constantFrom("no colon", ":x", "") },
  );
  const head = fc
    .tuple(
      fc.constantFrom(
        "HTTP/1.1 200 OK",
        "HTTP/1.0 503",
        "HTTP/1.1 429 Too Many",
        "HTTP/1.2 200",
        "HTTP/1.1 2x0",
      ),
      fc.array(line, { maxLength: 6 }),
    )
    .map(([status, lines]) => [status, ...lines.filter((l) => l !== "")].join("\r\n") + "\r\n\r\nbody");
  fc.assert(
    fc.property(head, (text) => {
      assert.deepEqual(parse(text), reference(text));
    }),
    { numRuns: 5_000 },
  );
});
