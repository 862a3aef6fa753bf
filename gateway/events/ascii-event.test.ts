// eventIsAscii may say "ASCII" only when the event's JSON really is: the gateway then takes the JSON's length as its
// UTF-8 length and sends that as the agent request's Content-Length. Random requests with non-ASCII in each place
// an event takes text from (header values, host, body, query, path, route, API key, authorizer, source address),
// both payload formats.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { GatewayRequest, MatchedRoute } from "../http/gateway-request.js";
import { eventIsAscii } from "./ascii-event.js";
import type { EventInput } from "./event-input.js";
import { buildPayloadV1 } from "./payload-v1.js";
import { buildPayloadV2 } from "./payload-v2.js";

const NON_ASCII = /[\u0080-\uffff]/;

/** Mostly ASCII text, sometimes with Latin-1 or other characters: both sides of the judgment get exercised. */
const text = (maxLength = 12) =>
  fc.oneof(
    { weight: 30, arbitrary: fc.string({ unit: charIn(0x20, 0x7e), maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: charIn(0x20, 0xff), maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength }) },
  );
function charIn(min: number, max: number): fc.Arbitrary<string> {
  return fc.integer({ min, max }).map((c) => String.fromCharCode(c));
}
/** A query or path segment: mostly plain, sometimes percent-encoded text (ASCII on the wire, decoded to anything) */
const encoded = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z0-9]{0,8}$/) },
  { weight: 1, arbitrary: text().map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constant("caf%C3%A9") },
);
const queryText = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.constant("a=1&b=x+y") },
  { weight: 3, arbitrary: encoded.map((t) => `k=${t}`) },
);
const pathText = encoded.map((t) => `/p/${t}`);
const bodyBytes = fc.oneof(
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 6, arbitrary: text(40).map((t) => Buffer.from(JSON.stringify({ t }), "utf8")) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
);

interface RequestShape {
  headerValue: string;
  host: string;
  userAgent: string;
  cookie: string | undefined;
  contentType: string;
  rawPath: string;
  rawQuery: string;
  routeKeyPath: string;
  payloadFormatVersion: "1.0" | "2.0";
  apiKeyId: string | undefined;
  authorizer: { principalId: string; context: Record<string, string> } | undefined;
  sourceIp: string;
  body: Buffer;
}

const requestInput: fc.Arbitrary<RequestShape> = fc.record({
  headerValue: text(),
  host: text(),
  userAgent: text(),
  cookie: fc.option(text(), { nil: undefined }),
  contentType: fc.constantFrom("application/json", "text/plain", "application/octet-stream"),
  rawPath: pathText,
  rawQuery: queryText,
  routeKeyPath: text(),
  payloadFormatVersion: fc.constantFrom("1.0" as const, "2.0" as const),
  apiKeyId: fc.option(text(), { nil: undefined }),
  authorizer: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ principalId: text(), context: fc.dictionary(text(6), text()) }) },
  ),
  sourceIp: fc.oneof({ weight: 6, arbitrary: fc.constant("10.1.2.3") }, { weight: 1, arbitrary: text() }),
  body: bodyBytes,
});

function eventInput(r: RequestShape): { input: EventInput; headIsAscii: boolean } {
  const rawHeaders = [
    "Host",
    r.host,
    "User-Agent",
    r.userAgent,
    "X-Custom",
    r.headerValue,
    "Content-Type",
    r.contentType,
  ];
  if (r.cookie !== undefined) rawHeaders.push("Cookie", `a=${r.cookie}`);
  if (r.apiKeyId !== undefined) rawHeaders.push("x-api-key", "key-value");
  const route: MatchedRoute = {
    routeKey: `ANY /${r.routeKeyPath}`,
    resourcePath: `/${r.routeKeyPath}`,
    pathParameters: { id: decodeURIComponent(r.rawPath.split("/").pop() ?? "") },
    function: { namespace: "default", name: "fn" },
    payloadFormatVersion: r.payloadFormatVersion,
  };
  const request: GatewayRequest & { route: MatchedRoute } = {
    id: "0b7e8f6a-0000-4000-8000-000000000000",
    method: "POST",
    rawPath: r.rawPath,
    rawQuery: r.rawQuery,
    headers: {},
    host: r.host,
    sourceIp: r.sourceIp,
    receivedAt: Date.UTC(2024, 1, 29, 23, 59, 59),
    identity: {
      apiKey: r.apiKeyId === undefined ? undefined : { id: r.apiKeyId, name: "k", namespace: "default" },
      authorizer: r.authorizer,
    },
    route,
  };
  // As the request parser judges a head: only header values can carry bytes above 0x7f.
  const headIsAscii = rawHeaders.every((part) => !NON_ASCII.test(part));
  return { input: { request, rawHeaders, body: r.body, protocol: "HTTP/1.1" }, headIsAscii };
}

test("an event judged ASCII has a JSON whose UTF-8 length is its length, in both formats", () => {
  let judgedAscii = 0;
  fc.assert(
    fc.property(requestInput, (r) => {
      const { input, headIsAscii } = eventInput(r);
      const build = r.payloadFormatVersion === "1.0" ? buildPayloadV1 : buildPayloadV2;
      const json = JSON.stringify(build(input));
      if (!eventIsAscii(input, headIsAscii)) return;
      judgedAscii++;
      assert.equal(Buffer.byteLength(json, "utf8"), json.length, json);
    }),
    { numRuns: 3_000 },
  );
  assert.ok(
    judgedAscii > 300,
    `only ${judgedAscii} of 3,000 events were judged ASCII: the property says little`,
  );
});

test("the common request is judged ASCII; non-ASCII in any one source is not", () => {
  const plain: RequestShape = {
    headerValue: "v",
    host: "api.example.com",
    userAgent: "curl/8",
    cookie: undefined,
    contentType: "application/json",
    rawPath: "/pets/7",
    rawQuery: "a=1",
    routeKeyPath: "pets/{id}",
    payloadFormatVersion: "2.0",
    apiKeyId: "key-1",
    authorizer: undefined,
    sourceIp: "10.1.2.3",
    body: Buffer.from('{"id":1}'),
  };
  const judge = (changes: Partial<RequestShape>) => {
    const { input, headIsAscii } = eventInput({ ...plain, ...changes });
    return eventIsAscii(input, headIsAscii);
  };
  assert.equal(judge({}), true);
  for (const [what, changes] of Object.entries({
    "a header value": { headerValue: "caf\u00e9" },
    "the body": { body: Buffer.from('{"name":"caf\u00e9"}') },
    "a percent-escape in the path": { rawPath: "/caf%C3%A9" },
    "a percent-escape in the query": { rawQuery: "q=%C3%A9" },
    "the route": { routeKeyPath: "caf\u00e9" },
    "an authorizer": { authorizer: { principalId: "p", context: {} } },
    "the API key": { apiKeyId: "k\u00e9y" },
    "the source address": { sourceIp: "\u00e9" },
  } satisfies Record<string, Partial<RequestShape>>)) {
    assert.equal(judge(changes), false, what);
  }
});
