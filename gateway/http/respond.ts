// Answering a function-port exchange (gateway/http1): a body with its headers, JSON, or an error in API
// Gateway's shape. The Lambda API port keeps node:http and answers through send.ts.
import type { Http1Exchange } from "../http1/http1-exchange.js";
import { errorAnswer } from "./send.js";

export function respondJson(
  exchange: Http1Exchange,
  status: number,
  value: unknown,
  headers: Array<[string, string]>,
): void {
  headers.push(["content-type", "application/json"]);
  exchange.respond(status, headers, JSON.stringify(value));
}

/** The last handler of the function port (send.ts errorAnswer); a request already answered is left alone. */
export function respondError(exchange: Http1Exchange, error: unknown, requestId: string): void {
  if (exchange.responded) return;
  const { status, headers, body } = errorAnswer(error, requestId, "apigateway");
  respondJson(exchange, status, body, Object.entries(headers));
}
