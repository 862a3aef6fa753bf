// Reads a request body with two bounds: its size (413 as soon as it is exceeded, without buffering the rest)
// and its time (a client trickling bytes — slowloris — gets 408 and the socket is closed).
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.js";
import type { ErrorBodyStyle } from "./http-error.js";

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
  style: ErrorBodyStyle;
  /** the error code for an oversized body in this style, e.g. RequestTooLargeException */
  tooLargeCode: string;
  tooLargeMessage: string;
}

export function tooLarge(limits: BodyLimits): HttpError {
  return new HttpError(413, limits.tooLargeCode, limits.tooLargeMessage, {
    style: limits.style,
    headers: { connection: "close" },
  });
}

/** Rejects at once when Content-Length already says the body is too large. */
export function checkDeclaredLength(req: IncomingMessage, limits: BodyLimits): void {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limits.maxBytes) throw tooLarge(limits);
}

export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  checkDeclaredLength(req, limits);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (error) {
        // Stop reading what is left; the response goes out with connection: close.
        req.pause();
        reject(error);
      } else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(tooLarge(limits));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (error: Error) => finish(error);
    const onAborted = () => finish(new Error("client closed the connection while sending the body"));
    const timer = setTimeout(
      () =>
        finish(
          new HttpError(408, "RequestTimeout", `request body not received within ${limits.timeoutMs} ms`, {
            style: limits.style,
            headers: { connection: "close" },
          }),
        ),
      limits.timeoutMs,
    );
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}
