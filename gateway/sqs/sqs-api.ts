// The SQS JSON protocol (POST /, X-Amz-Target: AmazonSQS.<Action>, application/x-amz-json-1.0) over the queue
// engine. Authentication happens before (gateway/aws/api-server.ts verifies SigV4 and passes the principal).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { isQueueError, type QueueEngine } from "../../queue/index.js";
import { SQS_ACTIONS } from "./actions.js";
import { fromQueueError, internalError, writeSqsError, type WireError } from "./errors.js";
import { hostQueueUrl, type QueueUrlFor } from "./queue-url.js";
import type { Json } from "./wire-input.js";

export interface SqsApiOptions {
  engine: QueueEngine;
  /** Builds queue URLs; default http://<request Host>/<accountId>/<name>. */
  queueUrlFor?: QueueUrlFor;
  accountId?: string;
  logger?: Logger;
}

export type SqsPrincipal = { accessKeyId: string } | undefined;

export type SqsHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  principal: SqsPrincipal,
) => Promise<void>;

const TARGET_PREFIX = "AmazonSQS.";

const clientError = (code: string, message: string, status = 400): WireError => ({
  status,
  code,
  queryCode: code,
  namespace: "com.amazon.coral.service",
  message,
  senderFault: true,
});

export function createSqsApi(options: SqsApiOptions): SqsHandler {
  if (!options?.engine) throw new Error("createSqsApi: options.engine (a QueueEngine) is required");
  const queueUrlFor =
    options.queueUrlFor ?? hostQueueUrl(options.accountId ?? options.engine.arnContext.accountId);
  const logger = options.logger;

  return async (req, res, body, principal) => {
    const requestId = randomUUID();
    const target = String(req.headers["x-amz-target"] ?? "");
    if (req.method !== "POST" || !target.startsWith(TARGET_PREFIX))
      return writeSqsError(
        res,
        clientError(
          "UnknownOperationException",
          `Expected POST / with header X-Amz-Target: ${TARGET_PREFIX}<Action>.`,
        ),
        requestId,
      );
    const actionName = target.slice(TARGET_PREFIX.length);
    const action = Object.hasOwn(SQS_ACTIONS, actionName) ? SQS_ACTIONS[actionName] : undefined;
    if (!action)
      return writeSqsError(
        res,
        clientError("UnknownOperationException", `Unknown action ${actionName}.`),
        requestId,
      );
    let input: Json;
    try {
      const parsed: unknown = body.length ? JSON.parse(body.toString("utf8")) : {};
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      input = parsed as Json;
    } catch {
      return writeSqsError(
        res,
        clientError("SerializationException", "The request body must be a JSON object."),
        requestId,
      );
    }

    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) abort.abort();
    };
    res.once("close", onClose);
    try {
      const result = await action(input, {
        engine: options.engine,
        request: req,
        queueUrlFor,
        principal,
        signal: abort.signal,
      });
      if (res.destroyed) return;
      const json = JSON.stringify(result);
      res.writeHead(200, {
        "content-type": "application/x-amz-json-1.0",
        "content-length": Buffer.byteLength(json),
        "x-amzn-requestid": requestId,
      });
      res.end(json);
    } catch (error) {
      if (res.destroyed) return;
      if (isQueueError(error)) return writeSqsError(res, fromQueueError(error), requestId);
      logger?.error({ err: error, requestId, action: actionName }, "sqs action failed");
      writeSqsError(res, internalError(requestId), requestId);
    } finally {
      res.off("close", onClose);
    }
  };
}
