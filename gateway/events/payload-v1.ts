// API Gateway payload format 1.0 (the REST API proxy event, AWS-COMPAT.md §3): headers keep their case, the
// single-value maps carry the last value, the multiValue* maps all of them, and empty maps are null.
import { KAPPA_ACCOUNT_ID, KAPPA_API_ID, KAPPA_STAGE, domainOf, type EventInput } from "./event-input.js";
import { apiGatewayTime, collectHeaders, encodeBody, hasEntries, parseQuery } from "./request-parts.js";

export interface PayloadV1 {
  version: "1.0";
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: null;
  requestContext: Record<string, unknown>;
  body: string | null;
  isBase64Encoded: boolean;
}

export function buildPayloadV1(input: EventInput): PayloadV1 {
  const { request } = input;
  const route = request.route;
  const collected = collectHeaders(input.rawHeaders);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const { name, values } of collected.values()) {
    headers[name] = values[values.length - 1]!;
    multiValueHeaders[name] = values;
  }
  const query = parseQuery(request.rawQuery);
  const contentType = collected.get("content-type")?.values[0];
  const { body, isBase64Encoded } = encodeBody(input.body, contentType);
  const domain = domainOf(request.host);
  const userAgent = collected.get("user-agent")?.values[0] ?? null;
  const hasHeaders = collected.size > 0;
  const hasPathParameters = hasEntries(route.pathParameters);

  return {
    version: "1.0",
    resource: route.resourcePath,
    path: request.rawPath,
    httpMethod: request.method,
    headers: hasHeaders ? headers : null,
    multiValueHeaders: hasHeaders ? multiValueHeaders : null,
    queryStringParameters:
      query.size > 0 ? Object.fromEntries([...query].map(([k, v]) => [k, v[v.length - 1]!])) : null,
    multiValueQueryStringParameters: query.size > 0 ? Object.fromEntries(query) : null,
    pathParameters: hasPathParameters ? route.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: KAPPA_ACCOUNT_ID,
      apiId: KAPPA_API_ID,
      authorizer: authorizerV1(request.identity),
      domainName: domain.name,
      domainPrefix: domain.prefix,
      extendedRequestId: request.id,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: request.identity.apiKey ? (collected.get("x-api-key")?.values[0] ?? null) : null,
        apiKeyId: request.identity.apiKey?.id ?? null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: request.rawPath,
      protocol: input.protocol,
      requestId: request.id,
      requestTime: apiGatewayTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt,
      resourceId: route.routeKey,
      resourcePath: route.resourcePath,
      stage: KAPPA_STAGE,
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

function authorizerV1(identity: EventInput["request"]["identity"]): Record<string, unknown> | null {
  const auth = identity.authorizer;
  if (!auth) return null;
  const result: Record<string, unknown> = { ...(auth.context ?? {}) };
  if (auth.principalId !== undefined) result.principalId = auth.principalId;
  if (auth.jwt) {
    result.claims = auth.jwt.claims;
    result.scopes = auth.jwt.scopes;
  }
  if (auth.usageIdentifierKey !== undefined) result.usageIdentifierKey = auth.usageIdentifierKey;
  return result;
}
