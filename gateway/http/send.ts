// Writing responses, and the gateway's last handler (STYLE.md §8): an HttpError is answered as its style says;
// anything else becomes an opaque 500 that carries only the request id (the details go to the log).
import type { ServerResponse } from "node:http";
import { isHttpError, type ErrorBodyStyle, type HttpError } from "./http-error.js";

export function sendBody(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string> | Array<[string, string]> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  const flat: string[] = [];
  for (const [name, value] of pairs) flat.push(name, value);
  if (typeof body === "string") {
    flat.push("content-length", String(Buffer.byteLength(body, "utf8")));
    res.writeHead(status, flat);
    // A string body goes out in one write() together with the head (node concatenates them); a Buffer would
    // be a writev of two chunks.
    res.end(body, "utf8");
    return;
  }
  flat.push("content-length", String(body.length));
  res.writeHead(status, flat);
  // Small bodies as latin1 (byte-exact) for the same single write; large ones are not worth the copy.
  if (body.length <= SINGLE_WRITE_MAX_BYTES) res.end(body.toString("latin1"), "latin1");
  else res.end(body);
}

const SINGLE_WRITE_MAX_BYTES = 16 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  sendBody(res, status, JSON.stringify(value), { "content-type": "application/json", ...headers });
}

/** The status, headers and body an HttpError is answered with, in its style (http-error.ts). */
function errorResponse(
  error: HttpError,
  defaultStyle: ErrorBodyStyle,
): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const style = error.options.style ?? defaultStyle;
  const headers: Record<string, string> = { ...error.options.headers };
  const extra = error.options.extra ?? {};
  if (style === "lambda") {
    headers["x-amzn-errortype"] = error.code;
    // The Lambda model capitalises Message on these two and not on the others (AWS-COMPAT.md §2).
    const messageKey =
      error.code === "ResourceNotFoundException" || error.code === "ServiceException" ? "Message" : "message";
    return {
      status: error.status,
      headers,
      body: { Type: error.status >= 500 ? "Service" : "User", [messageKey]: error.message, ...extra },
    };
  }
  if (style === "sqs") {
    headers["x-amzn-query-error"] = `${error.code};${error.status >= 500 ? "Receiver" : "Sender"}`;
    return {
      status: error.status,
      headers,
      body: { __type: `com.amazonaws.sqs#${error.code}`, message: error.message },
    };
  }
  return { status: error.status, headers, body: { message: error.message } };
}

/**
 * What the last handler answers for any error thrown on a request path: an HttpError as its style says; anything
 * else an opaque 500 that carries only the request id (the details go to the log). Shared by the node:http ports
 * (sendError) and the function port (respond.ts).
 */
export function errorAnswer(
  error: unknown,
  requestId: string,
  defaultStyle: ErrorBodyStyle,
): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  // The HTTP port's responses all carry the request id (set here rather than by res.setHeader up front: any
  // setHeader moves node's writeHead off its fast path for a header array).
  const idHeader: Record<string, string> =
    defaultStyle === "apigateway" ? { "apigw-requestid": requestId } : {};
  if (isHttpError(error)) {
    const { status, headers, body } = errorResponse(error, defaultStyle);
    return { status, headers: { ...headers, ...idHeader }, body };
  }
  if (defaultStyle === "lambda") {
    return {
      status: 500,
      headers: { "x-amzn-errortype": "ServiceException" },
      body: { Type: "Service", Message: `internal error; request id ${requestId}` },
    };
  }
  return { status: 500, headers: idHeader, body: { message: "Internal server error", requestId } };
}

/** The last handler: answers any error thrown on a request path. */
export function sendError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  defaultStyle: ErrorBodyStyle,
): number {
  const { status, headers, body } = errorAnswer(error, requestId, defaultStyle);
  sendJson(res, status, body, headers);
  return status;
}
