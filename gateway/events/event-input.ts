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

const hostnameOf = (host: string): string => {
  const colon = host.lastIndexOf(":");
  return colon > 0 && !host.endsWith("]") ? host.slice(0, colon) : host;
};

export interface Domain {
  /** requestContext.domainName: the Host header without its port */
  name: string;
  /** requestContext.domainPrefix: the name up to its first dot */
  prefix: string;
}

let lastHost: string | undefined;
let lastDomain: Domain = { name: "", prefix: "" };

/** The request's domain; the last one is kept, since a gateway's requests mostly name one host. */
export function domainOf(host: string): Domain {
  if (host !== lastHost) {
    const name = hostnameOf(host);
    const dot = name.indexOf(".");
    lastDomain = Object.freeze({ name, prefix: dot < 0 ? name : name.slice(0, dot) });
    lastHost = host;
  }
  return lastDomain;
}
