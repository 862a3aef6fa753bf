// Everything an API Gateway event is built from: the routed request, its raw headers and its body.
import type { GatewayRequest, MatchedRoute } from "../http/gateway-request.js";

export interface EventInput {
  request: GatewayRequest & { route: MatchedRoute };
  /** node's rawHeaders: name, value, name, value... with duplicates and original case */
  rawHeaders: readonly string[];
  body: Buffer;
  /** e.g. "HTTP/1.1" */
  protocol: string;
}

/** The accountId API Gateway puts in requestContext; Kappa has no accounts, so a fixed, well-formed one. */
export const KAPPA_ACCOUNT_ID = "000000000000";
export const KAPPA_API_ID = "kappa";
export const KAPPA_STAGE = "$default";

export const hostnameOf = (host: string): string => {
  const colon = host.lastIndexOf(":");
  return colon > 0 && !host.endsWith("]") ? host.slice(0, colon) : host;
};
