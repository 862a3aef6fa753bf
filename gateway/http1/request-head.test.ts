import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ChunkedBody } from "./chunked-body.js";
import { parseRequestHead, type RequestHead } from "./request-head.js";

/** The tests write each line with its CRLF; the parser gets the head without the final CRLF (CRLFCRLF ends it). */
const head = (text: string) => parseRequestHead(text.endsWith("\r\n") ? text.slice(0, -2) : text);
const parsed = (text: string): RequestHead => {
  const result = head(text);
  assert.ok("method" in result, `expected a request, got ${JSON.stringify(result)}`);
  return result;
};
const refused = (text: string, status = 400) => {
  const result = head(text);
  assert.ok(!("method" in result), `expected a refusal for ${JSON.stringify(text)}`);
  assert.equal(result.status, status, result.reason);
};

describe("request head", () => {
  test("a plain request: method, target, version, headers as node joins them", () => {
    const r = parsed(
      "POST /f/a?x=1 HTTP/1.1\r\nHost: h\r\nX-Dup: a\r\nx-dup: b\r\nCookie: a=1\r\nCookie: b=2\r\n" +
        "User-Agent: one\r\nUser-Agent: two\r\nContent-Length:  12 \r\n",
    );
    assert.equal(r.method, "POST");
    assert.equal(r.url, "/f/a?x=1");
    assert.equal(r.httpVersion, "1.1");
    assert.equal(r.bodyLength, 12);
    assert.equal(r.chunked, false);
    assert.equal(r.close, false);
    assert.equal(r.headers["x-dup"], "a, b");
    assert.equal(r.headers.cookie, "a=1; b=2");
    assert.equal(r.headers["user-agent"], "one");
    assert.deepEqual(r.rawHeaders.slice(0, 4), ["Host", "h", "X-Dup", "a"]);
  });

  test("connection handling: 1.1 persistent unless close, 1.0 closes unless keep-alive", () => {
    assert.equal(parsed("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n").close, true);
    assert.equal(parsed("GET / HTTP/1.0\r\n").close, true);
    assert.equal(parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n").close, false);
  });

  test("framing that two parsers could read differently is refused", () => {
    refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x5\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n", 501);
    refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n");
    assert.equal(
      parsed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n").bodyLength,
      5,
    );
    assert.equal(parsed("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n").chunked, true);
  });

  test("malformed lines are refused: obs-fold, space before colon, bare CR/LF, NUL, bad request lines", () => {
    refused("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n folded\r\n");
    refused("GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n");
    refused("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n");
    refused("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nX-B: b\r\n");
    refused("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n");
    refused("GET  / HTTP/1.1\r\nHost: h\r\n");
    refused("GET /\r\nHost: h\r\n");
    refused("GET / HTTP/2.0\r\nHost: h\r\n");
    refused("GET /a b HTTP/1.1\r\nHost: h\r\n");
    refused("GET a HTTP/1.1\r\nHost: h\r\n");
    refused("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n");
    refused("GET / HTTP/1.1\r\n");
    refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n", 417);
    assert.equal(parsed("OPTIONS * HTTP/1.1\r\nHost: h\r\n").url, "*");
    assert.equal(parsed("GET http://h/p HTTP/1.1\r\nHost: h\r\n").url, "http://h/p");
    assert.equal(parsed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n").expectContinue, true);
  });

  test("each line is read on its own: names in any case, values trimmed of spaces and tabs", () => {
    refused("GET / HTTP/1.1\r\nHost: h\r\nX-No-Colon\r\nX-B: b\r\n");
    refused("GET / HTTP/1.1\r\nHost: h\r\n: no name\r\n");
    refused("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n");
    refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n");
    const r = parsed("POST / HTTP/1.1\r\nhost: h\r\nX-A:\t v w \t\r\nCONTENT-LENGTH: 5, 5\r\nX-Empty:\r\n");
    assert.equal(r.headers["x-a"], "v w");
    assert.equal(r.headers["x-empty"], "");
    assert.equal(r.bodyLength, 5);
    assert.deepEqual(r.rawHeaders, ["host", "h", "X-A", "v w", "CONTENT-LENGTH", "5, 5", "X-Empty", ""]);
  });

  test("a header named __proto__ is just a header", () => {
    const r = parsed("GET / HTTP/1.1\r\nHost: h\r\n__proto__: x\r\n");
    assert.equal(r.headers["__proto__"], "x");
    assert.equal(Object.getPrototypeOf(r.headers), null);
  });
});

describe("chunked body", () => {
  test("decodes chunks with extensions and trailers, byte by byte as well as at once", () => {
    const wire = Buffer.from("5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\nNEXT");
    const whole = new ChunkedBody();
    const end = whole.feed(wire, 0);
    assert.equal(end, wire.length - 4);
    assert.equal(Buffer.concat(whole.parts).toString(), "hello world");
    const trickled = new ChunkedBody();
    let result: number | string = -1;
    for (let i = 0; i < wire.length - 4 && result === -1; i++)
      result = trickled.feed(wire.subarray(i, i + 1), 0);
    assert.equal(result, 1);
    assert.ok(trickled.done);
    assert.equal(Buffer.concat(trickled.parts).toString(), "hello world");
  });

  test("malformed framing is an error", () => {
    for (const bad of ["zz\r\n", "5\r\nhelloX\r\n", "-1\r\n", "0x5\r\nhello\r\n", " 5\r\nhello\r\n"]) {
      const result = new ChunkedBody().feed(Buffer.from(bad), 0);
      assert.equal(typeof result, "string", JSON.stringify(bad));
    }
  });
});

test("a head is ASCII unless a header value holds a byte above 0x7f", () => {
  assert.equal(parsed("GET /a?b=c HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n").ascii, true);
  assert.equal(parsed("GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\r\n").ascii, false);
  assert.equal(parsed("GET / HTTP/1.1\r\nHost: x\r\nX-Name: \u00ff\r\n").ascii, false);
});

test("one scan judges the common head; any other head is judged value by value, to the same verdicts", () => {
  // Header lines from an alphabet with every kind of character the judgments look at: controls, bare CR and LF,
  // tab, quote, backslash, DEL, Latin-1. The common head skips the per-value checks (request-head.ts PLAIN_HEAD),
  // so every head must get the verdicts the rules give, however it was judged.
  const char = fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom("a", "Z", "0", " ", "-") },
    { weight: 1, arbitrary: fc.constantFrom("\t", "\r", "\n", "\0", "\x01", "\x7f") },
    { weight: 1, arbitrary: fc.constantFrom('"', "\\", "\u00e9", "\u00ff") },
  );
  const value = fc.string({ unit: char, maxLength: 8 });
  // The request-target may hold any visible ASCII, quote and backslash included.
  const target = fc.string({ unit: fc.constantFrom("a", "/", "%", '"', "\\", "?"), maxLength: 4 });
  const CONTROL = /[^\t\x20-\x7e\x80-\xff]/;
  let plain = 0;
  let refusedForControl = 0;
  fc.assert(
    fc.property(target, fc.array(value, { minLength: 1, maxLength: 4 }), (path, values) => {
      const text = [`GET /${path} HTTP/1.1`, "Host: h", ...values.map((v, i) => `X-H${i}: ${v}`)].join(
        "\r\n",
      );
      const result = parseRequestHead(text);
      // A bare CR or LF splits or breaks a line: the head is refused one way or another, never accepted with it.
      const trimmed = values.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ""));
      if (trimmed.some((v) => CONTROL.test(v))) {
        assert.ok(!("method" in result), `accepted a control character: ${JSON.stringify(text)}`);
        refusedForControl++;
        return;
      }
      assert.ok("method" in result, `refused ${JSON.stringify(text)}: ${JSON.stringify(result)}`);
      assert.equal(result.ascii, !/[\u0080-\uffff]/.test(text));
      assert.equal(result.jsonSafe, !/["\\\t]/.test(text));
      if (/^[\x20-\x7e\r\n]*$/.test(text) && !/["\\]/.test(text)) plain++;
    }),
    { numRuns: 3_000 },
  );
  assert.ok(plain > 300 && refusedForControl > 300, `plain ${plain}, refused ${refusedForControl}`);
});
