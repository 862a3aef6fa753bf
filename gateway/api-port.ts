// The AWS API port. The queue part owns the full server (gateway/aws/api-server.ts: SigV4, SQS, and the
// `lambda` handler we plug in); until this checkout has it, this small server does the Lambda half on the
// same rules: bounded body, SigV4 verified with gateway/aws/sigv4.ts, then the Lambda Invoke API.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { QueueEngine } from "../queue/index.js";
import type { AccessKeyStore } from "./aws/access-keys.js";
import { SigV4Error, verifySigV4 } from "./aws/sigv4.js";
import { SYNC_PAYLOAD_LIMIT_BYTES } from "./functions.js";
import { HttpError } from "./http/http-error.js";
import { readBody } from "./http/read-body.js";
import { sendError } from "./http/send.js";
import type { LambdaApiHandler } from "./lambda/lambda-api.js";
import { LAMBDA_API_PREFIX } from "./lambda/lambda-api.js";

export interface ApiPortOptions {
  host: string;
  port: number;
  accessKeys?: AccessKeyStore;
  queue?: QueueEngine;
  lambda: LambdaApiHandler;
  logger: Logger;
  registry: Registry;
  bodyTimeoutMs?: number;
}

export async function startApiPort(
  options: ApiPortOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const { accessKeys, lambda, logger } = options;
  const limits = {
    maxBytes: SYNC_PAYLOAD_LIMIT_BYTES,
    timeoutMs: options.bodyTimeoutMs ?? 30_000,
    style: "lambda" as const,
    tooLargeCode: "RequestTooLargeException",
    tooLargeMessage: `Request must be smaller than ${SYNC_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`,
  };
  const handle = async (req: IncomingMessage, res: import("node:http").ServerResponse) => {
    const body = await readBody(req, limits);
    if (!(req.url ?? "").startsWith(LAMBDA_API_PREFIX)) {
      throw new HttpError(404, "UnknownOperationException", "this port serves the Lambda Invoke API only", {
        style: "lambda",
      });
    }
    if (!accessKeys)
      throw new HttpError(
        403,
        "UnrecognizedClientException",
        "no access keys are configured on this gateway",
        { style: "lambda" },
      );
    let principal;
    try {
      principal = await verifySigV4(
        { method: req.method ?? "POST", path: req.url ?? "/", headers: req.headers, body },
        accessKeys,
        Date.now(),
      );
    } catch (error) {
      if (error instanceof SigV4Error)
        throw new HttpError(error.status, error.code, error.message, { style: "lambda" });
      throw error;
    }
    await lambda(req, res, body, principal);
  };
  const server: Server = createServer(
    { headersTimeout: 10_000, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!(error instanceof HttpError)) logger.error({ err: error }, "api port request failed");
        sendError(res, error, "-", "lambda");
      });
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
