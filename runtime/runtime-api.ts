// The Lambda Runtime API (2018-06-01) served on 127.0.0.1 to ONE function process. Custom runtimes, the
// official runtime interface clients and Kappa's own Node/Python hosts all talk to the agent through it.
// One server per process keeps "which process holds which invocation" trivial: the server knows its process.
import { rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_RESPONSE_BYTES } from "./function-errors.js";
import { RawHttpServer } from "./raw-http-server.js";
import {
  dispatchRuntimeApi,
  wantsBody,
  type ApiRequest,
  type RuntimeApiListener,
} from "./runtime-api-routes.js";

export type { ApiAnswer, InvocationEvent, RuntimeApiListener } from "./runtime-api-routes.js";
export { nextHeaders } from "./runtime-api-routes.js";

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

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class RuntimeApiServer {
  private readonly server: Server;
  /** The same API on a Unix socket for Kappa's own Node host: cheaper per call than node:http on TCP. */
  private readonly unixServer: RawHttpServer;
  private socketPath: string | undefined;

  constructor(private readonly listener: RuntimeApiListener) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // /next is a long poll that may wait for hours between invokes: no request or idle timeouts here.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 15 * 60_000;
    this.unixServer = new RawHttpServer((request, reply) =>
      dispatchRuntimeApi(this.listener, request, reply),
    );
  }

  /** Returns host:port (AWS_LAMBDA_RUNTIME_API) and, when a socket path was given, the Unix socket. */
  async listen(socketPath?: string): Promise<{ address: string; socketPath?: string }> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    if (!socketPath) return { address };
    rmSync(socketPath, { force: true });
    await this.unixServer.listen(socketPath);
    this.socketPath = socketPath;
    return { address, socketPath };
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
    this.unixServer.close();
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const { body, bytes } = wantsBody(method)
      ? await readBody(req, MAX_RESPONSE_BYTES)
      : { body: Buffer.alloc(0), bytes: 0 };
    const headers: ApiRequest["headers"] = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = firstValue(value);
    let closed = false;
    res.on("close", () => (closed = true));
    dispatchRuntimeApi(
      this.listener,
      { method, path: (req.url ?? "").split("?")[0] ?? "", headers, body, bytes },
      {
        send: (status, responseHeaders, payload) => {
          const data = typeof payload === "string" ? Buffer.from(payload) : payload;
          res.writeHead(status, { ...responseHeaders, "content-length": data.length });
          res.end(data);
        },
        gone: () => closed,
      },
    );
  }
}
