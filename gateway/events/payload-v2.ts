// API Gateway HTTP API payload format 2.0 (AWS-COMPAT.md §3): lower-cased headers with duplicates joined by
// commas, cookies lifted out of the Cookie header, no multiValue* fields, empty maps left out.
import { KAPPA_ACCOUNT_ID, KAPPA_API_ID, KAPPA_STAGE, domainOf, type EventInput } from "./event-input.js";
import {
  apiGatewayTime,
  encodeBody,
  hasEntries,
  lowerCaseName,
  parseQuery,
  splitCookies,
} from "./request-parts.js";

export interface PayloadV2 {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: Record<string, unknown>;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** The 2.0 headers object (lower-case names, repeats joined by commas) and the Cookie headers kept apart. */
export function headersV2(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  cookieHeaders: string[] | undefined;
} {
  const headers: Record<string, string> = {};
  let cookieHeaders: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = lowerCaseName(rawHeaders[i]!);
    const value = rawHeaders[i + 1]!;
    if (lower === "cookie") {
      (cookieHeaders ??= []).push(value);
    } else {
      // What Object.prototype lends (constructor, toString...) is never a string: a string is a header seen before.
      const seen = headers[lower];
      headers[lower] = typeof seen === "string" ? `${seen},${value}` : value;
    }
  }
  return { headers, cookieHeaders };
}

/** The cookies field: every cookie of every Cookie header, or undefined when there are none. */
export function cookiesV2(cookieHeaders: string[] | undefined): string[] | undefined {
  if (cookieHeaders === undefined) return undefined;
  const cookies = splitCookies(cookieHeaders);
  return cookies.length > 0 ? cookies : undefined;
}

/** The queryStringParameters field (repeated names joined by commas), or undefined when there are none. */
export function queryV2(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === "") return undefined;
  const query = parseQuery(rawQuery);
  if (query.size === 0) return undefined;
  return Object.fromEntries([...query].map(([k, v]) => [k, v.join(",")]));
}

export function buildPayloadV2(input: EventInput): PayloadV2 {
  const { request } = input;
  const route = request.route;
  const { headers, cookieHeaders } = headersV2(input.rawHeaders);
  const { body, isBase64Encoded } = encodeBody(input.body, headers["content-type"]);
  const domain = domainOf(request.host);

  const event: PayloadV2 = {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQuery,
    headers,
    requestContext: {
      accountId: KAPPA_ACCOUNT_ID,
      apiId: KAPPA_API_ID,
      domainName: domain.name,
      domainPrefix: domain.prefix,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: input.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: request.id,
      routeKey: route.routeKey,
      stage: KAPPA_STAGE,
      time: apiGatewayTime(request.receivedAt),
      timeEpoch: request.receivedAt,
    },
    isBase64Encoded,
  };
  const cookies = cookiesV2(cookieHeaders);
  if (cookies !== undefined) event.cookies = cookies;
  const query = queryV2(request.rawQuery);
  if (query !== undefined) event.queryStringParameters = query;
  if (hasEntries(route.pathParameters)) event.pathParameters = route.pathParameters;
  const authorizer = authorizerV2(request.identity);
  if (authorizer) event.requestContext.authorizer = authorizer;
  if (body !== undefined) event.body = body;
  return event;
}

/** requestContext.authorizer: what an authorizer said, or undefined when none ran (or it said nothing). */
export function authorizerV2(
  identity: EventInput["request"]["identity"],
): Record<string, unknown> | undefined {
  if (identity.authorizer === undefined) return undefined;
  const result: Record<string, unknown> = {};
  const auth = identity.authorizer;
  if (auth?.jwt) result.jwt = { claims: auth.jwt.claims, scopes: auth.jwt.scopes };
  if (auth?.context || auth?.principalId) {
    result.lambda = { ...(auth.context ?? {}) };
    if (auth.principalId) result.principalId = auth.principalId;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}
