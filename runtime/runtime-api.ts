// The Lambda Runtime API (2018-06-01) served on 127.0.0.1 to ONE function process. Custom runtimes, the
// official runtime interface clients and Kappa's own Node/Python hosts all talk to the agent through it.
// One server per process keeps "which process holds which invocation" trivial: the server knows its process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { FunctionErrorBody } from "../api/agent.js";
import { MAX_RESPONSE_BYTES, normalizeRuntimeError } from "./function-errors.js";

export interface InvocationEvent {
  requestId: string;
  deadlineMs: number;
  invokedArn: string;
  traceId: string;
  /** JSON text (already decoded from the base64 the Invoke API carries) */
  clientContext?: string;
  cognitoIdentity?: string;
  contentType: string;
  body: Buffer;
}

export type ApiAnswer = { status: number; body: unknown };

/** What the process asks of its slot; the slot owns the state machine. */
export interface RuntimeApiListener {
  /** The process asks for the next event; call `deliver` when there is one (possibly much later). */
  next(deliver: (event: InvocationEvent) => void, gone: () => boolean): void;
  response(requestId: string, body: Buffer, contentType: string | undefined): ApiAnswer;
  responseTooLarge(requestId: string, bytes: number): ApiAnswer;
  error(requestId: string, error: FunctionErrorBody): ApiAnswer;
  initError(error: FunctionErrorBody): ApiAnswer;
  /** Kappa's own hosts, started before a function is known, wait here for its env and task root. */
  prime(deliver: (config: unknown) => void): void;
}

const BASE = "/2018-06-01/runtime/";
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

export function nextHeaders(event: InvocationEvent): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": event.contentType,
    "lambda-runtime-aws-request-id": event.requestId,
    "lambda-runtime-deadline-ms": String(event.deadlineMs),
    "lambda-runtime-invoked-function-arn": event.invokedArn,
    "lambda-runtime-trace-id": event.traceId,
  };
  if (event.clientContext) headers["lambda-runtime-client-context"] = event.clientContext;
  if (event.cognitoIdentity) headers["lambda-runtime-cognito-identity"] = event.cognitoIdentity;
  return headers;
}

function send(res: ServerResponse, answer: ApiAnswer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads a body up to `limit` bytes; beyond it keeps draining and only counts. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve({ body: bytes <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), bytes }));
    req.on("error", reject);
  });
}

export class RuntimeApiServer {
  private readonly server: Server;
  /** The same API on a Unix socket, for Kappa's own hosts: cheaper per call than loopback TCP. */
  private readonly unixServer: Server;
  private socketPath: string | undefined;

  constructor(private readonly listener: RuntimeApiListener) {
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      this.route(req, res).catch(() => {
        if (!res.headersSent)
          send(res, { status: 500, body: { errorType: "ServiceException", errorMessage: "" } });
      });
    };
    this.server = createServer(handle);
    this.unixServer = createServer(handle);
    for (const server of [this.server, this.unixServer]) {
      // /next is a long poll that may wait for hours between invokes: no request or idle timeouts here.
      server.requestTimeout = 0;
      server.keepAliveTimeout = 15 * 60_000;
    }
  }

  /** Returns host:port (AWS_LAMBDA_RUNTIME_API) and, when a socket path was given, the Unix socket. */
  async listen(socketPath?: string): Promise<{ address: string; socketPath?: string }> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    if (!socketPath) return { address };
    rmSync(socketPath, { force: true });
    await new Promise<void>((resolve) => this.unixServer.listen(socketPath, resolve));
    this.socketPath = socketPath;
    return { address, socketPath };
  }

  close(): void {
    for (const server of [this.server, this.unixServer]) {
      server.close();
      server.closeAllConnections();
    }
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (req.method === "GET" && path === `${BASE}invocation/next`) {
      let closed = false;
      res.on("close", () => (closed = true));
      this.listener.next(
        (event) => {
          res.writeHead(200, { ...nextHeaders(event), "content-length": event.body.length });
          res.end(event.body);
        },
        () => closed,
      );
      return;
    }
    if (req.method === "GET" && path === "/kappa/v1/prime") {
      this.listener.prime((config) => send(res, { status: 200, body: config }));
      return;
    }
    if (req.method === "POST" && path === `${BASE}init/error`) {
      const { body } = await readBody(req, MAX_RESPONSE_BYTES);
      send(res, this.listener.initError(normalizeRuntimeError(body, errorTypeHeader(req))));
      return;
    }
    const match = req.method === "POST" ? INVOCATION.exec(path) : null;
    if (match) {
      const requestId = decodeURIComponent(match[1]!);
      const { body, bytes } = await readBody(req, MAX_RESPONSE_BYTES);
      if (match[2] === "response") {
        if (req.headers["lambda-runtime-function-response-mode"] === "streaming") {
          send(res, {
            status: 400,
            body: {
              errorType: "InvalidFunctionResponseMode",
              errorMessage: "response streaming is not supported",
            },
          });
          return;
        }
        const answer =
          bytes > MAX_RESPONSE_BYTES
            ? this.listener.responseTooLarge(requestId, bytes)
            : this.listener.response(requestId, body, req.headers["content-type"]);
        send(res, answer);
      } else {
        send(res, this.listener.error(requestId, normalizeRuntimeError(body, errorTypeHeader(req))));
      }
      return;
    }
    send(res, {
      status: 404,
      body: { errorType: "NotFound", errorMessage: `no route for ${req.method} ${path}` },
    });
  }
}

function errorTypeHeader(req: IncomingMessage): string | undefined {
  const value = req.headers["lambda-runtime-function-error-type"];
  return Array.isArray(value) ? value[0] : value;
}
