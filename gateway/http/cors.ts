// CORS for Routes that declare it, as API Gateway HTTP APIs do: the gateway answers preflights itself (the
// function is not invoked) and adds the allow headers to actual responses from allowed origins.
import type { IncomingHttpHeaders } from "node:http";
import type { RouteCors } from "../routing/route-table.js";

export const isPreflight = (method: string, headers: IncomingHttpHeaders): boolean =>
  method === "OPTIONS" &&
  headers.origin !== undefined &&
  headers["access-control-request-method"] !== undefined;

function allowedOrigin(cors: RouteCors, origin: string | undefined): string | undefined {
  if (!origin || !cors.allowOrigins?.length) return undefined;
  if (cors.allowOrigins.includes("*")) return cors.allowCredentials ? origin : "*";
  return cors.allowOrigins.includes(origin) ? origin : undefined;
}

export function preflightHeaders(cors: RouteCors, headers: IncomingHttpHeaders): Array<[string, string]> {
  const origin = allowedOrigin(cors, headers.origin);
  if (!origin) return [];
  const out: Array<[string, string]> = [
    ["access-control-allow-origin", origin],
    ["vary", "origin"],
  ];
  const methods = cors.allowMethods?.length ? cors.allowMethods.map((m) => (m === "ANY" ? "*" : m)) : ["*"];
  out.push(["access-control-allow-methods", methods.join(",")]);
  const requested = headers["access-control-request-headers"];
  const allowHeaders = cors.allowHeaders?.length ? cors.allowHeaders.join(",") : undefined;
  if (allowHeaders) out.push(["access-control-allow-headers", allowHeaders]);
  else if (typeof requested === "string") out.push(["access-control-allow-headers", requested]);
  if (cors.maxAge !== undefined) out.push(["access-control-max-age", String(cors.maxAge)]);
  if (cors.allowCredentials) out.push(["access-control-allow-credentials", "true"]);
  return out;
}

export function responseCorsHeaders(cors: RouteCors, headers: IncomingHttpHeaders): Array<[string, string]> {
  const origin = allowedOrigin(cors, headers.origin);
  if (!origin) return [];
  const out: Array<[string, string]> = [
    ["access-control-allow-origin", origin],
    ["vary", "origin"],
  ];
  if (cors.exposeHeaders?.length) out.push(["access-control-expose-headers", cors.exposeHeaders.join(",")]);
  if (cors.allowCredentials) out.push(["access-control-allow-credentials", "true"]);
  return out;
}
