// The HTTP port's request handler: the pipeline (pipeline.ts), then the invoke — or, for /async/..., the
// function's queue — and the response mapped as API Gateway maps it. Every request gets an id
// (apigw-requestid header, requestContext.requestId), a metric and, if enabled, one access-log line.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AsyncInvoker } from "../async/async-invoker.js";
import type { Clock } from "../clock.js";
import { buildPayloadV1 } from "../events/payload-v1.js";
import { buildPayloadV2 } from "../events/payload-v2.js";
import { InvalidFunctionResponse, mapFunctionResponse } from "../events/response-mapping.js";
import { ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES, type FunctionSettings } from "../functions.js";
import type { Invoker } from "../invoke/invoker.js";
import type { GatewayMetrics } from "../metrics.js";
import type { Pipeline } from "../pipeline.js";
import type { Router } from "../routing/router.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "./cors.js";
import type { GatewayRequest, MatchedRoute } from "./gateway-request.js";
import { HttpError } from "./http-error.js";
import { httpInvokeError, internalServerError } from "./invoke-errors.js";
import { readBody, type BodyLimits } from "./read-body.js";
import { toGatewayRequest } from "./request-context.js";
import { sendBody, sendError, sendJson } from "./send.js";

export interface FunctionHandlerOptions {
  pipeline: Pipeline;
  router: Router;
  invoker: Invoker;
  asyncInvoker?: AsyncInvoker;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  bodyTimeoutMs: number;
  trustForwardedFor: boolean;
  accessLog: boolean;
}

/** The agent reports a function timeout itself; the gateway waits this much longer before answering 504. */
const AGENT_GRACE_MS = 1_000;

const syncBody = (timeoutMs: number): BodyLimits => ({
  maxBytes: SYNC_PAYLOAD_LIMIT_BYTES,
  timeoutMs,
  style: "apigateway",
  tooLargeCode: "RequestTooLarge",
  tooLargeMessage: "Request Entity Too Large",
});

export function createFunctionHandler(
  options: FunctionHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { pipeline, router, metrics, logger, clock } = options;
  const syncLimits = syncBody(options.bodyTimeoutMs);
  const asyncLimits: BodyLimits = { ...syncLimits, maxBytes: ASYNC_PAYLOAD_LIMIT_BYTES };
  const contextOptions = { trustForwardedFor: options.trustForwardedFor };

  async function handle(req: IncomingMessage, res: ServerResponse, request: GatewayRequest): Promise<void> {
    if (isPreflight(request.method, request.headers)) {
      const match = router.resolveAnyMethod(request.host, request.rawPath);
      if (match?.cors) {
        sendBody(res, 204, "", [
          ...preflightHeaders(match.cors, request.headers),
          ["apigw-requestid", request.id],
        ]);
        return;
      }
    }
    const result = await pipeline.run(request);
    const route = request.route!;
    if (result.async) {
      await enqueue(req, res, request as GatewayRequest & { route: MatchedRoute }, result.fn);
      return;
    }
    const body = await readBody(req, syncLimits);
    const payload = buildEvent(req, request as GatewayRequest & { route: MatchedRoute }, body);
    if (payload.length > SYNC_PAYLOAD_LIMIT_BYTES)
      throw new HttpError(413, "RequestTooLarge", "Request Entity Too Large");
    let invoked;
    try {
      invoked = await options.invoker.invoke(result.fn, {
        requestId: request.id,
        payload,
        timeoutMs: result.fn.timeoutMs,
        graceMs: AGENT_GRACE_MS,
        // A Route's integration timeout bounds the whole call, as API Gateway's does.
        overallTimeoutMs: route.routeRef ? route.timeoutMilliseconds : undefined,
      });
    } catch (error) {
      throw httpInvokeError(error);
    }
    if (invoked.functionError) {
      logger.info(
        { requestId: request.id, functionError: invoked.functionError },
        "function returned an error",
      );
      throw internalServerError();
    }
    let mapped;
    try {
      mapped = mapFunctionResponse(invoked.payload, route.payloadFormatVersion);
    } catch (error) {
      if (!(error instanceof InvalidFunctionResponse)) throw error;
      logger.warn(
        { requestId: request.id, function: route.function, problem: error.message },
        "invalid function response",
      );
      throw internalServerError();
    }
    const headers = mapped.headers;
    headers.push(["apigw-requestid", request.id]);
    if (result.cors) headers.push(...responseCorsHeaders(result.cors, request.headers));
    sendBody(res, mapped.statusCode, mapped.body, headers);
  }

  function buildEvent(
    req: IncomingMessage,
    request: GatewayRequest & { route: MatchedRoute },
    body: Buffer,
  ): Buffer {
    const input = { request, rawHeaders: req.rawHeaders, body, protocol: `HTTP/${req.httpVersion}` };
    const event =
      request.route.payloadFormatVersion === "1.0" ? buildPayloadV1(input) : buildPayloadV2(input);
    return Buffer.from(JSON.stringify(event), "utf8");
  }

  async function enqueue(
    req: IncomingMessage,
    res: ServerResponse,
    request: GatewayRequest & { route: MatchedRoute },
    fn: FunctionSettings,
  ): Promise<void> {
    const body = await readBody(req, asyncLimits);
    if (!options.asyncInvoker) {
      throw new HttpError(501, "NotImplemented", "asynchronous invocation is not configured on this gateway");
    }
    const payload = buildEvent(req, request, body);
    if (payload.length > ASYNC_PAYLOAD_LIMIT_BYTES)
      throw new HttpError(413, "RequestTooLarge", "Request Entity Too Large");
    await options.asyncInvoker.enqueue(fn, payload, request.id);
    sendJson(res, 202, { requestId: request.id }, { "apigw-requestid": request.id });
  }

  // One async function per request rather than handle().catch().finally(): two promises and closures less.
  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    request: GatewayRequest,
    started: number,
  ): Promise<void> {
    try {
      await handle(req, res, request);
    } catch (error) {
      if (!(error instanceof HttpError))
        logger.error({ err: error, requestId: request.id }, "request failed");
      sendError(res, error, request.id, "apigateway");
    }
    const route = request.route;
    const fnLabel = route ? `${route.function.namespace}/${route.function.name}` : "-";
    const seconds = (performance.now() - started) / 1000;
    metrics.request(route?.routeKey ?? "-", fnLabel, res.statusCode, seconds);
    if (options.accessLog) {
      logger.info(
        {
          requestId: request.id,
          method: request.method,
          path: request.rawPath,
          status: res.statusCode,
          durationMs: Math.round(seconds * 1e4) / 10,
          function: fnLabel,
          route: route?.routeKey,
          sourceIp: request.sourceIp,
        },
        "request",
      );
    }
  }

  return (req, res) => {
    const started = performance.now();
    const request = toGatewayRequest(req, randomUUID(), clock.now(), contextOptions);
    void serve(req, res, request, started);
  };
}
