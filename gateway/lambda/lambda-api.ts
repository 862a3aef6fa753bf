// The Lambda Invoke API (POST /2015-03-31/functions/{FunctionName}/invocations), as @aws-sdk/client-lambda
// calls it (AWS-COMPAT.md §2). The AWS API port (gateway/aws/api-server.ts) verifies SigV4, reads the body and
// hands the request here.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { NoInstanceAvailable } from "../activator/activator.js";
import type { AsyncInvoker } from "../async/async-invoker.js";
import { ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES, type FunctionCatalog } from "../functions.js";
import { HttpError, isHttpError } from "../http/http-error.js";
import { sendBody, sendError } from "../http/send.js";
import { ResponseTooLarge } from "../invoke/agent-call.js";
import { InstancesFailing, InvokeTimeout, type Invoker } from "../invoke/invoker.js";
import { LATEST, functionArn, parseFunctionName } from "./function-name.js";

export type LambdaApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  principal?: unknown,
) => Promise<void>;

export const LAMBDA_API_PREFIX = "/2015-03-31/functions/";
const INVOCATIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's cap on X-Amz-Client-Context (base64 of a JSON object). */
const CLIENT_CONTEXT_MAX = 3583;
/** The agent enforces the function's deadline; the gateway waits this much longer before giving up on it. */
const DEADLINE_GRACE_MS = 1_000;

export interface LambdaApiOptions {
  catalog: FunctionCatalog;
  invoker: Invoker;
  asyncInvoker?: AsyncInvoker;
  logger: Logger;
  defaultNamespace: string;
  region: string;
}

const lambdaError = (
  status: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
) => new HttpError(status, code, message, { style: "lambda", extra, headers });

export function createLambdaApi(options: LambdaApiOptions): LambdaApiHandler {
  const { catalog, invoker, logger, defaultNamespace, region } = options;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    requestId: string,
  ): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    const match = INVOCATIONS.exec(path);
    if (!match || req.method !== "POST") {
      throw lambdaError(
        404,
        "UnknownOperationException",
        "Kappa implements only Invoke (POST /2015-03-31/functions/{FunctionName}/invocations) of the Lambda API",
      );
    }
    let rawName: string;
    try {
      rawName = decodeURIComponent(match[1]!);
    } catch {
      throw lambdaError(400, "InvalidParameterValueException", "FunctionName is not valid percent-encoding");
    }
    const target = parseFunctionName(rawName, defaultNamespace, query.get("Qualifier") ?? undefined);
    const arn = functionArn(region, target.namespace, target.name, defaultNamespace);
    const fn = catalog.get(target.namespace, target.name);
    if (!fn || (target.qualifier !== undefined && target.qualifier !== LATEST)) {
      const shown = target.qualifier ? `${arn}:${target.qualifier}` : arn;
      throw lambdaError(404, "ResourceNotFoundException", `Function not found: ${shown}`);
    }

    const invocationType = header(req, "x-amz-invocation-type") ?? "RequestResponse";
    if (!["RequestResponse", "Event", "DryRun"].includes(invocationType)) {
      throw lambdaError(
        400,
        "InvalidParameterValueException",
        `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not ${JSON.stringify(invocationType)}`,
      );
    }
    const payload = body.length === 0 ? Buffer.from("{}") : body;
    const limit = invocationType === "Event" ? ASYNC_PAYLOAD_LIMIT_BYTES : SYNC_PAYLOAD_LIMIT_BYTES;
    if (payload.length > limit) {
      throw lambdaError(
        413,
        "RequestTooLargeException",
        `Request must be smaller than ${limit} bytes for the ${invocationType} invocation type`,
      );
    }
    try {
      JSON.parse(payload.toString("utf8"));
    } catch (error) {
      throw lambdaError(
        400,
        "InvalidRequestContentException",
        `Could not parse request body into json: ${(error as Error).message}`,
      );
    }
    const baseHeaders = { "x-amzn-requestid": requestId, "x-amz-executed-version": LATEST };

    if (invocationType === "DryRun") {
      sendBody(res, 204, "", baseHeaders);
      return;
    }
    if (invocationType === "Event") {
      if (!options.asyncInvoker)
        throw lambdaError(
          500,
          "ServiceException",
          "asynchronous invocation is not configured on this gateway",
        );
      await options.asyncInvoker.enqueue(fn, payload, requestId, arn);
      sendBody(res, 202, "", baseHeaders);
      return;
    }

    const clientContext = header(req, "x-amz-client-context");
    if (clientContext !== undefined && clientContext.length > CLIENT_CONTEXT_MAX) {
      throw lambdaError(
        400,
        "InvalidParameterValueException",
        `X-Amz-Client-Context may have at most ${CLIENT_CONTEXT_MAX} bytes`,
      );
    }
    const tail = header(req, "x-amz-log-type") === "Tail";
    let result;
    try {
      result = await invoker.invoke(fn, {
        requestId,
        payload,
        timeoutMs: fn.timeoutMs,
        graceMs: DEADLINE_GRACE_MS,
        logType: tail ? "Tail" : undefined,
        clientContext,
        invokedArn: arn,
      });
    } catch (error) {
      const functionError = functionErrorFor(error, fn.timeoutMs, requestId);
      if (!functionError) throw lambdaInvokeError(error);
      sendBody(res, 200, JSON.stringify(functionError), {
        ...baseHeaders,
        "content-type": "application/json",
        "x-amz-function-error": "Unhandled",
      });
      return;
    }
    const headers: Record<string, string> = { ...baseHeaders, "content-type": "application/json" };
    if (result.functionError) headers["x-amz-function-error"] = result.functionError;
    if (tail && result.logResult) headers["x-amz-log-result"] = result.logResult;
    sendBody(res, 200, result.payload, headers);
  }

  return async (req, res, body) => {
    const requestId = randomUUID();
    try {
      await handle(req, res, body, requestId);
    } catch (error) {
      if (!isHttpError(error)) logger.error({ err: error, requestId }, "lambda invoke failed");
      sendError(res, error, requestId, "lambda");
    }
  };
}

/** Failures Lambda reports as the function's error (HTTP 200 + X-Amz-Function-Error), not as an API error. */
function functionErrorFor(
  error: unknown,
  timeoutMs: number,
  requestId: string,
): Record<string, string> | undefined {
  if (error instanceof InvokeTimeout) {
    return {
      errorType: "Sandbox.Timedout",
      errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
    };
  }
  if (error instanceof ResponseTooLarge) {
    return {
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT_BYTES} bytes).`,
    };
  }
  return undefined;
}

function lambdaInvokeError(error: unknown): unknown {
  if (isHttpError(error) && error.code === "TooManyRequestsException") {
    return new HttpError(error.status, error.code, error.message, { ...error.options, style: "lambda" });
  }
  if (error instanceof NoInstanceAvailable) {
    return lambdaError(
      429,
      "TooManyRequestsException",
      `Rate Exceeded. ${error.message}`,
      { Reason: "ConcurrentInvocationLimitExceeded" },
      { "retry-after": "1" },
    );
  }
  if (error instanceof InstancesFailing) return lambdaError(500, "ServiceException", error.message);
  return error;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
