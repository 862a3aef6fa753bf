// Turns a function-port exchange into the pipeline's GatewayRequest.
import type { Http1Exchange } from "../http1/http1-exchange.js";
import type { GatewayRequest } from "./gateway-request.js";

export interface RequestContextOptions {
  /** take the client address from X-Forwarded-For (only behind a proxy you trust; otherwise callers spoof it) */
  trustForwardedFor: boolean;
}

export function toGatewayRequest(
  req: Http1Exchange,
  id: string,
  receivedAt: number,
  options: RequestContextOptions,
): GatewayRequest {
  let url = req.url;
  let host = req.headers.host ?? "";
  if (url[0] !== "/" && url !== "*") {
    // absolute-form (RFC 9112 §3.2.2): the target's authority is the host, whatever Host says
    const authority = url.indexOf("//") + 2;
    let path = authority;
    while (path < url.length && url[path] !== "/" && url[path] !== "?") path++;
    host = url.slice(authority, path);
    url = url[path] === "/" ? url.slice(path) : `/${url.slice(path)}`;
  }
  const q = url.indexOf("?");
  return {
    id,
    method: req.method,
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    headers: req.headers,
    host,
    sourceIp: clientIp(req, options.trustForwardedFor),
    receivedAt,
    identity: {},
    connection: req.connectionKey,
  };
}

function clientIp(req: Http1Exchange, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  const address = req.remoteAddress;
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
