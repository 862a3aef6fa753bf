// The 2.0 event's JSON text written directly, the same text as JSON.stringify(buildPayloadV2(input)) to the
// byte (payload-v2-json.test.ts holds it to that). On the invoke path the event object and its stringify cost
// ~2.5 us per request, more than any other step of the gateway's own (docs/gateway-performance.md "Ninth
// round"); most of that is JSON.stringify walking keys and escaping strings it could know need none.
//
// The strings of a request (header names and values, target, host) need no escaping when its head held no
// quote, backslash or tab: the parser refuses every other character JSON escapes (RequestHead.jsonSafe). Those
// are written between quotes as they are; the rest (route key, request id, decoded query and path parameters,
// an authorizer's context, the body) go through JSON.stringify or a check first.
import { KAPPA_ACCOUNT_ID, KAPPA_API_ID, KAPPA_STAGE, domainOf, type EventInput } from "./event-input.js";
import { authorizerV2, buildPayloadV2, cookiesV2, headersV2, queryV2 } from "./payload-v2.js";
import { apiGatewayTime, encodeBody, hasEntries } from "./request-parts.js";
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
  const domain = domainOf(request.host);
  const routeKey = quoted(route.routeKey);
  const rawPath = request.rawPath;

  let headerFields = "";
  // for-in lists an object's keys in the order JSON.stringify does (integer-like names first).
  for (const name in headers) {
    headerFields += `${headerFields === "" ? "" : ","}"${name}":"${headers[name]}"`;
  }
  let json =
    `{"version":"2.0","routeKey":${routeKey},"rawPath":"${rawPath}","rawQueryString":"${request.rawQuery}",` +
    `"headers":{${headerFields}},"requestContext":{${CONSTANT_CONTEXT},` +
    `"domainName":"${domain.name}","domainPrefix":"${domain.prefix}",` +
    `"http":{"method":"${request.method}","path":"${rawPath}","protocol":"${input.protocol}",` +
    `"sourceIp":"${request.sourceIp}","userAgent":"${headers["user-agent"] ?? ""}"},` +
    `"requestId":${quoted(request.id)},"routeKey":${routeKey},${STAGE},` +
    `"time":"${apiGatewayTime(request.receivedAt)}","timeEpoch":${epochJson(request.receivedAt)}`;
  const authorizer = authorizerV2(request.identity);
  if (authorizer) json += `,"authorizer":${JSON.stringify(authorizer)}`;
  json += `},"isBase64Encoded":${isBase64Encoded}`;
  const cookies = cookiesV2(cookieHeaders);
  if (cookies !== undefined) json += `,"cookies":${JSON.stringify(cookies)}`;
  const query = queryV2(request.rawQuery);
  if (query !== undefined) json += `,"queryStringParameters":${JSON.stringify(query)}`;
  if (hasEntries(route.pathParameters)) json += `,"pathParameters":${JSON.stringify(route.pathParameters)}`;
  if (body !== undefined) json += `,"body":${isBase64Encoded ? `"${body}"` : JSON.stringify(body)}`;
  return `${json}}`;
}
