// The seam between the gateway's pipeline stages. The router fills `route`; the auth stages (API key, usage
// plan, authorizer) and the rate limiter read it and fill `identity`; the invoke stage builds the event from it.
import type { IncomingHttpHeaders } from "node:http";

export interface MatchedRoute {
  /** namespace/name of the Route resource, or undefined for the built-in /function/<ns>/<name> path */
  routeRef?: { namespace: string; name: string };
  /** API Gateway style route key, e.g. "GET /pets/{id}" or "$default" */
  routeKey: string;
  /** the path pattern that matched, e.g. "/pets/{id}" */
  resourcePath: string;
  pathParameters: Record<string, string>;
  function: { namespace: string; name: string };
  payloadFormatVersion: "1.0" | "2.0";
  auth?: { apiKeyRequired?: boolean; authorizer?: string; scopes?: string[] };
  rateLimit?: { perSecond: number; burst: number; by: "route" | "apiKey" | "sourceIp" };
  timeoutMilliseconds?: number;
}

export interface RequestIdentity {
  apiKey?: { id: string; name: string; namespace: string; usagePlan?: string };
  /** what an authorizer said: principal, context for the function, JWT claims and scopes */
  authorizer?: {
    principalId?: string;
    context?: Record<string, unknown>;
    jwt?: { claims: Record<string, unknown>; scopes: string[] };
    usageIdentifierKey?: string;
  };
}

export interface GatewayRequest {
  id: string;
  method: string;
  rawPath: string;
  rawQuery: string;
  /** lower-cased header names, as node:http gives them */
  headers: IncomingHttpHeaders;
  host: string;
  sourceIp: string;
  receivedAt: number;
  route?: MatchedRoute;
  identity: RequestIdentity;
  /**
   * The client connection the request came on: the same object for every request on it, for stages that keep a
   * memo per connection (in a WeakMap). Absent where a request has no connection of its own.
   */
  connection?: object;
}

/** One step of the request pipeline. It rejects a request by throwing an HttpError. */
export type GatewayStage = (request: GatewayRequest) => Promise<void> | void;

/** How auth stages call a function (a REQUEST authorizer), provided by the invoke path. */
export interface FunctionInvoker {
  invoke(
    target: { namespace: string; name: string },
    payload: Buffer,
    options?: { timeoutMs?: number; requestId?: string },
  ): Promise<{ payload: Buffer; functionError?: string }>;
}
