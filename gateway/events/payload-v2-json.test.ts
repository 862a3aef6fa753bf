// payloadV2Json must write exactly JSON.stringify(buildPayloadV2(input)): the agent and the function see one event
// whichever way it was made. Random requests go through the real request parser (which decides whether the head's
// strings may be written unescaped), with quotes, backslashes, tabs and Latin-1 in every part of the head, and
// controls, lone surrogates and non-Latin-1 text in everything that does not come from the head.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { GatewayRequest, MatchedRoute } from "../http/gateway-request.js";
import { parseRequestHead, type RequestHead } from "../http1/request-head.js";
import type { EventInput } from "./event-input.js";
import { payloadV2Json } from "./payload-v2-json.js";
import { buildPayloadV2 } from "./payload-v2.js";

const charIn = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
/** What a header value may hold once parsed: tab, visible ASCII, Latin-1; quotes and backslashes now and then. */
const fieldText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.string({ unit: charIn(0x21, 0x7e), maxLength: 12 }).map((t) => t.replace(/["\\]/g, "")),
  },
  {
    weight: 2,
    arbitrary: fc.string({ unit: fc.constantFrom("a", '"', "\\", "\t", " ", "\u00e9"), maxLength: 8 }),
  },
  { weight: 1, arbitrary: fc.string({ unit: charIn(0x20, 0xff), maxLength: 12 }) },
);
/** Anything at all: controls, lone surrogates, emoji. */
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: charIn(0, 0x1f), maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom("\ud800", "a\udfffb", "\u2028", '{"a":1}') },
);
const target = fc.tuple(
  fc.string({ unit: charIn(0x21, 0x7e), maxLength: 10 }).map((t) => t.replace(/[?#]/g, "")),
  fc.option(fc.string({ unit: charIn(0x21, 0x7e), maxLength: 10 }), { nil: undefined }),
);
const headerName = fc.constantFrom(
  "X-Custom",
  "user-agent",
  "Content-Type",
  "Cookie",
  "x-api-key",
  "Accept",
  "123",
  "constructor",
  "__proto__",
  "X-Forwarded-For",
);

const requestShape = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT"),
  target,
  host: fieldText,
  headers: fc.array(fc.tuple(headerName, fieldText), { maxLength: 6 }),
  routeKey: anyText,
  requestId: fc.oneof({ weight: 5, arbitrary: fc.uuid() }, { weight: 1, arbitrary: anyText }),
  sourceIp: fc.constantFrom("10.1.2.3", "::1", "127.0.0.1"),
  receivedAt: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant(Number.NaN)),
  pathParameters: fc.dictionary(fc.string({ maxLength: 4 }), anyText, { maxKeys: 2 }),
  authorizer: fc.option(
    fc.record({
      principalId: fc.option(anyText, { nil: undefined }),
      context: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(anyText, fc.integer())), {
        nil: undefined,
      }),
      jwt: fc.option(
        fc.record({ claims: fc.dictionary(fc.string({ maxLength: 4 }), anyText), scopes: fc.array(anyText) }),
        { nil: undefined },
      ),
    }),
    { nil: undefined },
  ),
  body: fc.oneof(
    fc.constant(Buffer.alloc(0)),
    anyText.map((t) => Buffer.from(JSON.stringify({ t }), "utf8")),
    fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes)),
  ),
});

type Shape = typeof requestShape extends fc.Arbitrary<infer T> ? T : never;

/** The shape as the parser reads it, or undefined when the parser refuses the head. */
function parsed(shape: Shape): { input: EventInput; head: RequestHead } | undefined {
  const [path, query] = shape.target;
  const url = `/${path}${query === undefined ? "" : `?${query}`}`;
  const lines = [`${shape.method} ${url} HTTP/1.1`, `Host: ${shape.host}`];
  for (const [name, value] of shape.headers) lines.push(`${name}: ${value}`);
  const head = parseRequestHead(lines.join("\r\n"));
  if (!("method" in head)) return undefined;
  const q = head.url.indexOf("?");
  const route: MatchedRoute = {
    routeKey: shape.routeKey,
    resourcePath: "/{proxy+}",
    pathParameters: shape.pathParameters,
    function: { namespace: "default", name: "fn" },
    payloadFormatVersion: "2.0",
  };
  const forwarded = head.headers["x-forwarded-for"];
  const request: GatewayRequest & { route: MatchedRoute } = {
    id: shape.requestId,
    method: head.method,
    rawPath: q < 0 ? head.url : head.url.slice(0, q),
    rawQuery: q < 0 ? "" : head.url.slice(q + 1),
    headers: head.headers,
    host: String(head.headers.host ?? ""),
    // as a gateway trusting X-Forwarded-For takes it: a string from the head
    sourceIp: typeof forwarded === "string" && forwarded.trim() !== "" ? forwarded.trim() : shape.sourceIp,
    receivedAt: shape.receivedAt,
    identity: { authorizer: shape.authorizer },
    route,
  };
  return { input: { request, rawHeaders: head.rawHeaders, body: shape.body, protocol: "HTTP/1.1" }, head };
}

test("the 2.0 event's JSON is JSON.stringify's text of the built event, to the byte", () => {
  let fast = 0;
  let slow = 0;
  fc.assert(
    fc.property(requestShape, (shape) => {
      const request = parsed(shape);
      if (!request) return;
      const expected = JSON.stringify(buildPayloadV2(request.input));
      assert.equal(payloadV2Json(request.input, request.head.jsonSafe), expected);
      if (request.head.jsonSafe) fast++;
      else slow++;
    }),
    { numRuns: 4_000 },
  );
  // Both ways must have been exercised for the property to say anything.
  assert.ok(fast > 1_000, `only ${fast} heads took the direct writer`);
  assert.ok(slow > 200, `only ${slow} heads held a character to escape`);
});

test("the parser calls a head JSON-safe only without quote, backslash and tab", () => {
  const judge = (value: string) => {
    const head = parseRequestHead(`GET /p HTTP/1.1\r\nHost: h\r\nX-A: ${value}`);
    assert.ok("method" in head);
    return head.jsonSafe;
  };
  assert.equal(judge("plain value \u00e9"), true);
  assert.equal(judge('a "quoted" value'), false);
  assert.equal(judge("back\\slash"), false);
  assert.equal(judge("a\ttab"), false);
  const target = parseRequestHead('GET /p"q HTTP/1.1\r\nHost: h');
  assert.ok("method" in target);
  assert.equal(target.jsonSafe, false);
});

test("written directly, a common request is the same event", () => {
  const request = parsed({
    method: "POST",
    target: ["pets/7", "a=1&b=2"],
    host: "api.example.com:8080",
    headers: [
      ["Content-Type", "application/json"],
      ["Cookie", "a=1; b=2"],
      ["X-Custom", "one"],
      ["X-Custom", "two"],
    ],
    routeKey: "POST /pets/{id}",
    requestId: "0b7e8f6a-0000-4000-8000-000000000000",
    sourceIp: "10.1.2.3",
    receivedAt: Date.UTC(2024, 1, 29, 23, 59, 59),
    pathParameters: { id: "7" },
    authorizer: undefined,
    body: Buffer.from('{"name":"Rex"}'),
  });
  assert.ok(request?.head.jsonSafe);
  const event = JSON.parse(payloadV2Json(request.input, true)) as Record<string, unknown>;
  assert.deepEqual(event, JSON.parse(JSON.stringify(buildPayloadV2(request.input))));
  assert.equal((event.headers as Record<string, string>)["x-custom"], "one,two");
  assert.deepEqual(event.cookies, ["a=1", "b=2"]);
  assert.equal(event.body, '{"name":"Rex"}');
});
