// Answering a function-port exchange (gateway/http1): a body with its headers, JSON, or an error in API
// Gateway's shape. The Lambda API port keeps node:http and answers through send.ts.
import type { Http1Exchange } from "../http1/http1-exchange.js";
import { isHttpError } from "./http-error.js";
import { errorResponse } from "./send.js";

export function respondJson(
  exchange: Http1Exchange,
  status: number,
  value: unknown,
  headers: Array<[string, string]>,
): void {
  headers.push(["content-type", "application/json"]);
  exchange.respond(status, headers, JSON.stringify(value));
}

/**
 * The last handler of the function port: an HttpError is answered as it says; anything else is an opaque 500
 * that carries only the request id (the details go to the log). A request already answered is left alone.
 */
export function respondError(exchange: Http1Exchange, error: unknown, requestId: string): void {
  if (exchange.responded) return;
  const idHeader: [string, string] = ["apigw-requestid", requestId];
  if (isHttpError(error)) {
    const { status, headers, body } = errorResponse(error, "apigateway");
    respondJson(exchange, status, body, [...Object.entries(headers), idHeader]);
    return;
  }
  respondJson(exchange, 500, { message: "Internal server error", requestId }, [idHeader]);
}
