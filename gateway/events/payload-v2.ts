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

export function buildPayloadV2(input: EventInput): PayloadV2 {
  const { request } = input;
  const route = request.route;
  const rawHeaders = input.rawHeaders;
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
  if (cookieHeaders !== undefined) {
    const cookies = splitCookies(cookieHeaders);
    if (cookies.length > 0) event.cookies = cookies;
  }
  if (request.rawQuery !== "") {
    const query = parseQuery(request.rawQuery);
    if (query.size > 0) {
      event.queryStringParameters = Object.fromEntries([...query].map(([k, v]) => [k, v.join(",")]));
    }
  }
  if (hasEntries(route.pathParameters)) event.pathParameters = route.pathParameters;
  if (request.identity.authorizer !== undefined) {
    const authorizer = authorizerV2(request.identity);
    if (authorizer) event.requestContext.authorizer = authorizer;
  }
  if (body !== undefined) event.body = body;
  return event;
}

function authorizerV2(identity: EventInput["request"]["identity"]): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  const auth = identity.authorizer;
  if (auth?.jwt) result.jwt = { claims: auth.jwt.claims, scopes: auth.jwt.scopes };
  if (auth?.context || auth?.principalId) {
    result.lambda = { ...(auth.context ?? {}) };
    if (auth.principalId) result.principalId = auth.principalId;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}
