// Reads a function-port request body with its two bounds as API Gateway answers them: its size (413 as soon as
// it is exceeded, without buffering the rest) and its time (a client trickling bytes — slowloris — gets 408;
// the time itself is the server's bodyTimeoutMs, see gateway/http1). Either way the connection is closed. A
// client that leaves before its body is read is recorded as 499.
import { BodyTimeout, BodyTooLarge, BodyUnreadable } from "../http1/http1-connection.js";
import type { Http1Exchange } from "../http1/http1-exchange.js";
import { HttpError } from "./http-error.js";
import type { ErrorBodyStyle } from "./http-error.js";

export interface BodyLimits {
  maxBytes: number;
  style: ErrorBodyStyle;
  /** the error code for an oversized body in this style, e.g. RequestTooLargeException */
  tooLargeCode: string;
  tooLargeMessage: string;
}

const closing = { connection: "close" };
const CLIENT_CLOSED_REQUEST = 499;

function tooLarge(limits: BodyLimits): HttpError {
  return new HttpError(413, limits.tooLargeCode, limits.tooLargeMessage, {
    style: limits.style,
    headers: closing,
  });
}

/** The body, synchronously when it has already arrived (no promise per request then), or a promise of it. */
export function readBody(exchange: Http1Exchange, limits: BodyLimits): Buffer | Promise<Buffer> {
  // Content-Length already says too large: refuse before a byte of it is read.
  const declared = exchange.headers["content-length"];
  if (declared !== undefined && Number(declared) > limits.maxBytes) throw tooLarge(limits);
  return exchange.bodyIfComplete(limits.maxBytes) ?? readRest(exchange, limits);
}

async function readRest(exchange: Http1Exchange, limits: BodyLimits): Promise<Buffer> {
  try {
    return await exchange.readBody(limits.maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw tooLarge(limits);
    if (error instanceof BodyTimeout)
      throw new HttpError(408, "RequestTimeout", error.message, { style: limits.style, headers: closing });
    if (error instanceof BodyUnreadable) {
      if (error.malformed)
        throw new HttpError(400, "BadRequest", `malformed request body: ${error.message}`, {
          style: limits.style,
          headers: closing,
        });
      // The client left before its body was read: no one to answer and not the gateway's failure. Counted and
      // logged as 499, the status nginx records for it, rather than as a 500 with an error line.
      throw new HttpError(CLIENT_CLOSED_REQUEST, "ClientClosedRequest", error.message, {
        style: limits.style,
        headers: closing,
      });
    }
    throw error;
  }
}
