// The AWS-compatible API port (default 8081): one node:http server that reads the body (bounded), verifies
// SigV4 against Kappa access keys and dispatches: SQS JSON requests (X-Amz-Target: AmazonSQS.*) to the SQS
// handler, /2015-03-31/functions/... to the Lambda handler the gateway plugs in. Errors are answered in the
// wire format of the API the caller was talking to.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { writeSqsError } from "../sqs/errors.js";
import type { AccessKeyStore } from "./access-keys.js";
import { SigV4Error, verifySigV4, type SigV4Principal } from "./sigv4.js";

export type AwsApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  principal: SigV4Principal,
) => Promise<void>;

export interface AwsApiServerOptions {
  /** 0 picks a free port. Default 8081. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 in a pod. */
  host?: string;
  keys: AccessKeyStore;
  sqs: AwsApiHandler;
  lambda?: AwsApiHandler;
  /** Largest request body accepted; Lambda's sync payload limit is 6 MB, SQS's message 1 MiB. Default 7 MiB. */
  maxBodyBytes?: number;
  /** Clock for SigV4's skew check. */
  now?: () => number;
  /** When given, GET /metrics serves it (unauthenticated, like every component's /metrics). */
  registry?: Registry;
  logger?: Logger;
}

export interface AwsApiServer {
  port: number;
  close(): Promise<void>;
}

const LAMBDA_PREFIX = "/2015-03-31/functions/";
const DEFAULT_MAX_BODY = 7 * 1024 * 1024;

type Api = "sqs" | "lambda";

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function writeError(
  res: ServerResponse,
  api: Api,
  status: number,
  code: string,
  queryCode: string,
  message: string,
) {
  const requestId = randomUUID();
  if (api === "sqs") {
    writeSqsError(
      res,
      { status, code, queryCode, namespace: "com.amazon.coral.service", message, senderFault: status < 500 },
      requestId,
    );
    return;
  }
  const body = JSON.stringify({ Type: "User", message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-amzn-errortype": code,
    "x-amzn-requestid": requestId,
  });
  res.end(body);
}

export async function startAwsApiServer(options: AwsApiServerOptions): Promise<AwsApiServer> {
  if (!options?.keys) throw new Error("startAwsApiServer: options.keys (an AccessKeyStore) is required");
  if (typeof options.sqs !== "function")
    throw new Error("startAwsApiServer: options.sqs (the SQS handler) is required");
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const now = options.now ?? Date.now;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (options.registry && req.method === "GET" && url === "/metrics") {
      const text = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType });
      return res.end(text);
    }
    const api: Api = url.startsWith(LAMBDA_PREFIX) ? "lambda" : "sqs";
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // Do not read the rest of an oversized upload: answer, then close the connection.
        res.setHeader("connection", "close");
        res.once("finish", () => req.destroy());
        return writeError(
          res,
          api,
          413,
          api === "lambda" ? "RequestTooLargeException" : "RequestEntityTooLarge",
          "RequestEntityTooLarge",
          `Request must be smaller than ${limit} bytes.`,
        );
      }
      throw error;
    }
    let principal: SigV4Principal;
    try {
      principal = await verifySigV4(
        { method: req.method ?? "GET", path: url, headers: req.headers, body },
        options.keys,
        now(),
      );
    } catch (error) {
      if (error instanceof SigV4Error)
        return writeError(res, api, error.status, error.code, error.queryCode, error.message);
      throw error;
    }
    if (api === "lambda") {
      if (!options.lambda)
        return writeError(
          res,
          api,
          404,
          "ResourceNotFoundException",
          "ResourceNotFound",
          "The Lambda API is not enabled here.",
        );
      return options.lambda(req, res, body, principal);
    }
    return options.sqs(req, res, body, principal);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger?.error({ err: error, url: req.url }, "aws api request failed");
      if (!res.headersSent)
        writeError(res, "sqs", 500, "InternalFailure", "InternalFailure", "Internal error.");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8081, options.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        // Bounded: a connection accepted while closing must not keep close() pending.
        const giveUp = setTimeout(resolve, 2_000);
        giveUp.unref();
        server.close(() => {
          clearTimeout(giveUp);
          resolve();
        });
        // Long polls hold connections for up to 20 s; do not make shutdown wait for them.
        server.closeAllConnections();
      }),
  };
}
