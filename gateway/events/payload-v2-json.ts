// The 2.0 event's JSON text written directly, the same text as JSON.stringify(buildPayloadV2(input)) to the
// byte (payload-v2-json.test.ts holds it to that). On the invoke path the event object and its stringify cost
// ~2.5 us per request, more than any other step of the gateway's own (docs/gateway-performance.md "Ninth
// round"); most of that is JSON.stringify walking keys and escaping strings it could know need none.
//
// The strings of a request (header names and values, target, host) need no escaping when its head held no
// quote, backslash or tab: the parser refuses every other character JSON escapes (RequestHead.jsonSafe). Those
// are written between quotes as they are; the rest (route key, request id, decoded query and path parameters,
// an authorizer's context, the body) go through JSON.stringify or a check first.
import {
  KAPPA_ACCOUNT_ID,
  KAPPA_API_ID,
  KAPPA_STAGE,
  domainOf,
  type Domain,
  type EventInput,
} from "./event-input.js";
import { authorizerV2, buildPayloadV2, cookiesV2, headersV2, queryV2 } from "./payload-v2.js";
import { apiGatewayTime, encodeBody, hasEntries } from "./request-parts.js";
import { boundedMemo } from "../bounded-memo.js";
import { lastNumberText } from "../number-text.js";

/** A character JSON.stringify writes as an escape (lone surrogates included, paired ones sent along too). */
// eslint-disable-next-line no-control-regex -- the controls are what JSON escapes
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON: as it stands between quotes, unless it holds something to escape. */
const quoted = (value: string): string =>
  ESCAPED_IN_JSON.test(value) ? JSON.stringify(value) : `"${value}"`;

const epochText = lastNumberText();
/** A time as JSON.stringify writes it (the same digits as String; null for what JSON cannot hold). */
const epochJson = (value: number): string => (Number.isFinite(value) ? epochText(value) : "null");

const CONSTANT_CONTEXT = `"accountId":"${KAPPA_ACCOUNT_ID}","apiId":"${KAPPA_API_ID}"`;
const STAGE = `"stage":${JSON.stringify(KAPPA_STAGE)}`;

// The event is joined from as few pieces as its values allow: V8 keeps each join as a node of a tree that the socket
// write later walks to flatten it, one dependent load per node (docs/gateway-performance.md "Twelfth round"). Text
// that depends only on the route key, the host, the protocol or a header's name is made once and reused.

/** Bounds the caches below for a gateway that sees ever new route keys, header names or hosts. */
const TEXTS_KEPT = 512;

interface RouteText {
  /** from the event's start up to rawPath's value */
  start: string;
  /** from after requestId's value up to time's value */
  afterRequestId: string;
}
const routeText = boundedMemo(TEXTS_KEPT, (routeKey: string): RouteText => {
  const key = quoted(routeKey);
  return {
    start: `{"version":"2.0","routeKey":${key},"rawPath":"`,
    afterRequestId: `,"routeKey":${key},${STAGE},"time":"`,
  };
});

/** `"name":"` and `","name":"` for a header name, the first member and a later one. */
interface HeaderText {
  first: string;
  next: string;
}
const headerText = boundedMemo(TEXTS_KEPT, (name: string): HeaderText => ({
  first: `"${name}":"`,
  next: `","${name}":"`,
}));

// domainOf keeps the last host's Domain: the same object again means the same host, with no second text compare.
let lastDomain: Domain | undefined;
/** For the last host: from the headers' end up to http.method's value. */
let lastHostText = "";

function hostText(host: string): string {
  const domain = domainOf(host);
  if (domain !== lastDomain) {
    lastHostText =
      `},"requestContext":{${CONSTANT_CONTEXT},"domainName":"${domain.name}",` +
      `"domainPrefix":"${domain.prefix}","http":{"method":"`;
    lastDomain = domain;
  }
  return lastHostText;
}

const protocolText = boundedMemo(8, (protocol: string) => `","protocol":"${protocol}","sourceIp":"`);

/**
 * The event's JSON. `headJsonSafe`: every string the request's head gave (header names and values, the target,
 * the host, a forwarded source address) holds no character JSON escapes, as RequestHead.jsonSafe says; when
 * false, the event is built and stringified.
 */
export function payloadV2Json(input: EventInput, headJsonSafe: boolean): string {
  if (!headJsonSafe) return JSON.stringify(buildPayloadV2(input));
  const { request } = input;
  const route = request.route;
  const { headers, cookieHeaders } = headersV2(input.rawHeaders);
  const { body, isBase64Encoded } = encodeBody(input.body, headers["content-type"]);
  const rawPath = request.rawPath;

  let headerFields = "";
  // for-in lists an object's keys in the order JSON.stringify does (integer-like names first).
  for (const name in headers) {
    const text = headerText(name);
    headerFields += (headerFields === "" ? text.first : text.next) + headers[name];
  }
  if (headerFields !== "") headerFields += '"';
  const perRoute = routeText(route.routeKey);
  let json =
    perRoute.start +
    rawPath +
    '","rawQueryString":"' +
    request.rawQuery +
    '","headers":{' +
    headerFields +
    hostText(request.host) +
    request.method +
    '","path":"' +
    rawPath +
    protocolText(input.protocol) +
    request.sourceIp +
    '","userAgent":"' +
    (headers["user-agent"] ?? "") +
    '"},"requestId":' +
    quoted(request.id) +
    perRoute.afterRequestId +
    apiGatewayTime(request.receivedAt) +
    '","timeEpoch":' +
    epochJson(request.receivedAt);
  const authorizer = authorizerV2(request.identity);
  if (authorizer) json += `,"authorizer":${JSON.stringify(authorizer)}`;
  json += isBase64Encoded ? '},"isBase64Encoded":true' : '},"isBase64Encoded":false';
  const cookies = cookiesV2(cookieHeaders);
  if (cookies !== undefined) json += `,"cookies":${JSON.stringify(cookies)}`;
  const query = queryV2(request.rawQuery);
  if (query !== undefined) json += `,"queryStringParameters":${JSON.stringify(query)}`;
  if (hasEntries(route.pathParameters)) json += `,"pathParameters":${JSON.stringify(route.pathParameters)}`;
  if (body !== undefined) json += `,"body":${isBase64Encoded ? `"${body}"` : JSON.stringify(body)}`;
  return `${json}}`;
}
