// A minimal HTTP/1.1 server for the Runtime API on a Unix socket, used only by Kappa's own Node host, whose
// requests it knows (Content-Length bodies, no chunked encoding, pipelined requests answered in order).
// node:http costs several times more CPU per call, and this sits on every invocation's path.
import { createServer, type Server, type Socket } from "node:net";
import { MAX_RESPONSE_BYTES } from "./function-errors.js";
import type { ApiReplier, ApiRequest } from "./runtime-api-routes.js";

const HEADER_END = Buffer.from("\r\n\r\n");
/** Request heads are a few hundred bytes; anything this large is not our host talking. */
const MAX_HEAD_BYTES = 64 * 1024;

const REASONS: Record<number, string> = {
  200: "OK",
  202: "Accepted",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  500: "Internal Server Error",
};

export function responseBytes(
  status: number,
  headers: Record<string, string | number>,
  body: Buffer | string,
): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\ncontent-length: ${payload.length}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  // Header values may carry UTF-8 JSON (client context): write them as their bytes.
  return Buffer.concat([Buffer.from(head + "\r\n", "utf8"), payload]);
}

interface Parsed {
  request: ApiRequest;
  rest: Buffer;
}

/** Parses one complete request from the front of `buffer`, or returns undefined when more bytes are needed. */
export function parseRequest(buffer: Buffer): Parsed | undefined | "bad" {
  const end = buffer.indexOf(HEADER_END);
  if (end === -1) return buffer.length > MAX_HEAD_BYTES ? "bad" : undefined;
  const lines = buffer.subarray(0, end).toString("utf8").split("\r\n");
  const [method, target] = (lines[0] ?? "").split(" ");
  if (!method || !target) return "bad";
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (headers["transfer-encoding"]) return "bad";
  const length = Number(headers["content-length"] ?? 0);
  if (!Number.isInteger(length) || length < 0) return "bad";
  if (buffer.length < end + 4 + length) return undefined;
  const body = buffer.subarray(end + 4, end + 4 + length);
  const path = target.split("?")[0] ?? target;
  return {
    request: {
      method,
      path,
      headers,
      body: length > MAX_RESPONSE_BYTES ? Buffer.alloc(0) : body,
      bytes: length,
    },
    rest: buffer.subarray(end + 4 + length),
  };
}

export class RawHttpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(handle: (request: ApiRequest, reply: ApiReplier) => void) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      let buffer: Buffer = Buffer.alloc(0);
      let closed = false;
      // Requests on one connection are answered in order: the next is parsed only once this one is answered.
      let waiting = false;
      let dispatching = false;
      // An answer to a request that already has a pipelined successor (our host's POST /response followed by
      // GET /next) is held and written with the successor's answer: the host does not wait for it, and one
      // write per invocation instead of two spares the host a wake-up just to read "202 Accepted".
      let held: Buffer | undefined;
      const pump = (): void => {
        while (!waiting && !closed) {
          const parsed = parseRequest(buffer);
          if (parsed === undefined) return;
          if (parsed === "bad") {
            socket.end(responseBytes(400, { connection: "close" }, ""));
            closed = true;
            return;
          }
          buffer = parsed.rest;
          waiting = true;
          dispatching = true;
          handle(parsed.request, {
            send: (status, headers, body) => {
              if (closed) return;
              const bytes = responseBytes(status, headers, body);
              const out = held ? Buffer.concat([held, bytes]) : bytes;
              if (buffer.length > 0) {
                held = out;
              } else {
                held = undefined;
                socket.write(out);
              }
              waiting = false;
              if (!dispatching) pump();
            },
            gone: () => closed,
          });
          dispatching = false;
        }
      };
      socket.on("data", (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        pump();
      });
      const onClose = (): void => {
        closed = true;
        this.sockets.delete(socket);
      };
      socket.on("close", onClose);
      socket.on("error", onClose);
    });
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve) => this.server.listen(path, resolve));
  }

  close(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }
}
