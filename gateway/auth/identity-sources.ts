// API Gateway identity sources: where an authorizer's inputs come from. `$request.header.X` (case-insensitive),
// `$request.querystring.x` (case-sensitive), `$context.x` and `$stageVariables.x`. A source with no value makes
// the request 401 before any authorizer runs.
import type { GatewayRequest } from "../http/gateway-request.js";

/** The $context variables we can fill; others are rejected when the Authorizer is loaded. */
const CONTEXT_VARIABLES: Record<string, (request: GatewayRequest) => string | undefined> = {
  routeKey: (r) => r.route?.routeKey,
  httpMethod: (r) => r.method,
  "http.method": (r) => r.method,
  path: (r) => r.rawPath,
  "http.path": (r) => r.rawPath,
  resourcePath: (r) => r.route?.resourcePath,
  sourceIp: (r) => r.sourceIp,
  "identity.sourceIp": (r) => r.sourceIp,
  "http.sourceIp": (r) => r.sourceIp,
  domainName: (r) => r.host,
  requestId: (r) => r.id,
  stage: () => "$default",
};

const SOURCE = /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/;

/** A message naming the problem, or undefined when `source` is one we can evaluate. */
export function identitySourceProblem(source: string): string | undefined {
  const match = SOURCE.exec(source);
  if (!match) {
    return `identity source "${source}" must look like $request.header.Name, $request.querystring.name, $context.routeKey or $stageVariables.name`;
  }
  if (match[1] === "context" && !(match[2]! in CONTEXT_VARIABLES)) {
    return `identity source "${source}": supported $context variables are ${Object.keys(CONTEXT_VARIABLES).join(", ")}`;
  }
  return undefined;
}

/** Comma-joins repeated values, as API Gateway does. Undefined when absent or empty. */
export function identityValue(source: string, request: GatewayRequest): string | undefined {
  const match = SOURCE.exec(source);
  if (!match) return undefined;
  const [, kind, name] = match as unknown as [string, string, string];
  let value: string | undefined;
  switch (kind) {
    case "request.header": {
      const raw = request.headers[name.toLowerCase()];
      value = Array.isArray(raw) ? raw.join(",") : raw;
      break;
    }
    case "request.querystring": {
      const values = new URLSearchParams(request.rawQuery).getAll(name);
      value = values.length ? values.join(",") : undefined;
      break;
    }
    case "context":
      value = CONTEXT_VARIABLES[name]?.(request);
      break;
    case "stageVariables":
      // Kappa has no stages, so no stage variables: such a source is always missing.
      value = undefined;
      break;
  }
  return value === undefined || value === "" ? undefined : value;
}

/** All values in order, or undefined when any is missing (the caller answers 401). */
export function identityValues(sources: readonly string[], request: GatewayRequest): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const value = identityValue(source, request);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}

/** The token from an Authorization-style value: an optional "Bearer " prefix (any case) is removed. */
export function bearerToken(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const token = value.replace(/^\s*bearer\s+/i, "").trim();
  return token === "" ? undefined : token;
}
