// Turns node's IncomingMessage into the pipeline's GatewayRequest.
import type { IncomingMessage } from "node:http";
import type { GatewayRequest } from "./gateway-request.js";

export interface RequestContextOptions {
  /** take the client address from X-Forwarded-For (only behind a proxy you trust; otherwise callers spoof it) */
  trustForwardedFor: boolean;
}

export function toGatewayRequest(
  req: IncomingMessage,
  id: string,
  receivedAt: number,
  options: RequestContextOptions,
): GatewayRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    id,
    method: req.method ?? "GET",
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? "" : url.slice(q + 1),
    headers: req.headers,
    host: req.headers.host ?? "",
    sourceIp: clientIp(req, options.trustForwardedFor),
    receivedAt,
    identity: {},
  };
}

function clientIp(req: IncomingMessage, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  const address = req.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
