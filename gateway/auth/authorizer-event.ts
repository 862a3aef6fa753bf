// The event a REQUEST function authorizer receives: HTTP API payload 2.0 by default, 1.0 on request
// (AWS-COMPAT.md §3). Built from the GatewayRequest before the function's own event exists.
import type { GatewayRequest } from "../http/gateway-request.js";

export interface AuthorizerEventContext {
  accountId: string;
  apiId: string;
  routeArn: string;
  identitySource: string[];
  now: number;
}

function flatHeaders(request: GatewayRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}

function multiHeaders(request: GatewayRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value : [value];
  }
  return headers;
}

function queryMaps(rawQuery: string): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    (multi[name] ??= []).push(value);
    single[name] = multi[name]!.join(",");
  }
  return { single, multi };
}

const nonEmpty = <T extends object>(map: T): T | undefined => (Object.keys(map).length ? map : undefined);

export function authorizerEvent2(
  request: GatewayRequest,
  c: AuthorizerEventContext,
): Record<string, unknown> {
  const headers = flatHeaders(request);
  const { single } = queryMaps(request.rawQuery);
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  const time = new Date(c.now);
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: c.routeArn,
    identitySource: c.identitySource,
    routeKey: request.route?.routeKey ?? "$default",
    rawPath: request.rawPath,
    rawQueryString: request.rawQuery,
    cookies,
    headers,
    queryStringParameters: nonEmpty(single),
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      domainName: request.host,
      domainPrefix: request.host.split(".")[0],
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: request.id,
      routeKey: request.route?.routeKey ?? "$default",
      stage: "$default",
      time: time.toISOString(),
      timeEpoch: c.now,
    },
    pathParameters: nonEmpty(request.route?.pathParameters ?? {}),
    stageVariables: undefined,
  };
}

export function authorizerEvent1(
  request: GatewayRequest,
  c: AuthorizerEventContext,
): Record<string, unknown> {
  const { single, multi } = queryMaps(request.rawQuery);
  return {
    version: "1.0",
    type: "REQUEST",
    methodArn: c.routeArn,
    identitySource: c.identitySource.join(","),
    authorizationToken: undefined,
    resource: request.route?.resourcePath ?? request.rawPath,
    path: request.rawPath,
    httpMethod: request.method,
    headers: flatHeaders(request),
    multiValueHeaders: multiHeaders(request),
    queryStringParameters: nonEmpty(single) ?? null,
    multiValueQueryStringParameters: nonEmpty(multi) ?? null,
    pathParameters: nonEmpty(request.route?.pathParameters ?? {}) ?? null,
    stageVariables: null,
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      domainName: request.host,
      httpMethod: request.method,
      identity: { sourceIp: request.sourceIp, userAgent: request.headers["user-agent"] ?? null },
      path: request.rawPath,
      protocol: "HTTP/1.1",
      requestId: request.id,
      requestTimeEpoch: c.now,
      resourcePath: request.route?.resourcePath ?? request.rawPath,
      stage: "$default",
    },
  };
}
