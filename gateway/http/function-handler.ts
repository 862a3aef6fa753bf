// The HTTP port's request handler: the pipeline (pipeline.ts), then the invoke — or, for /async/..., the
// function's queue — and the response mapped as API Gateway maps it. Every request gets an id
// (apigw-requestid header, requestContext.requestId), a metric and, if enabled, one access-log line.
import type { Logger } from "pino";
import type { AsyncInvoker } from "../async/async-invoker.js";
import type { Clock } from "../clock.js";
import { eventIsAscii } from "../events/ascii-event.js";
import { buildPayloadV1 } from "../events/payload-v1.js";
import { payloadV2Json } from "../events/payload-v2-json.js";
import { InvalidFunctionResponse, mapFunctionResponse } from "../events/response-mapping.js";
import { ASYNC_PAYLOAD_LIMIT_BYTES, SYNC_PAYLOAD_LIMIT_BYTES, type FunctionSettings } from "../functions.js";
import type { Invoker } from "../invoke/invoker.js";
import type { GatewayMetrics } from "../metrics.js";
import type { InvokeResult } from "../invoke/invoker.js";
import type { Pipeline, PipelineResult } from "../pipeline.js";
import type { Router } from "../routing/router.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "./cors.js";
import type { GatewayRequest, MatchedRoute } from "./gateway-request.js";
import { HttpError } from "./http-error.js";
import { httpInvokeError, internalServerError } from "./invoke-errors.js";
import type { Http1Exchange, Http1Handler } from "../http1/http1-exchange.js";
import { readBody, type BodyLimits } from "./read-body.js";
import { toGatewayRequest } from "./request-context.js";
import { newRequestId } from "./request-id.js";
import { respondError, respondJson } from "./respond.js";

export interface FunctionHandlerOptions {
  pipeline: Pipeline;
  router: Router;
  invoker: Invoker;
  asyncInvoker?: AsyncInvoker;
  metrics: GatewayMetrics;
  logger: Logger;
  clock: Clock;
  trustForwardedFor: boolean;
  accessLog: boolean;
}

/** The agent reports a function timeout itself; the gateway waits this much longer before answering 504. */
const AGENT_GRACE_MS = 1_000;

const syncLimits: BodyLimits = {
  maxBytes: SYNC_PAYLOAD_LIMIT_BYTES,
  style: "apigateway",
  tooLargeCode: "RequestTooLarge",
  tooLargeMessage: "Request Entity Too Large",
};
const asyncLimits: BodyLimits = { ...syncLimits, maxBytes: ASYNC_PAYLOAD_LIMIT_BYTES };

type RoutedRequest = GatewayRequest & { route: MatchedRoute };

export function createFunctionHandler(options: FunctionHandlerOptions): Http1Handler {
  const { pipeline, router, metrics, logger, clock } = options;
  const contextOptions = { trustForwardedFor: options.trustForwardedFor };

  /** Answers a CORS preflight for a Route with CORS; false when the request is not one. */
  function answerPreflight(exchange: Http1Exchange, request: GatewayRequest): boolean {
    if (!isPreflight(request.method, request.headers)) return false;
    const match = router.resolveAnyMethod(request.host, request.rawPath);
    if (!match?.cors) return false;
    exchange.respond(
      204,
      [...preflightHeaders(match.cors, request.headers), ["apigw-requestid", request.id]],
      "",
    );
    return true;
  }

  /** The invoke's result as API Gateway maps it, sent. */
  function respondInvoked(
    exchange: Http1Exchange,
    request: GatewayRequest,
    result: PipelineResult,
    invoked: InvokeResult,
  ): void {
    const route = result.route;
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
    exchange.respond(mapped.statusCode, headers, mapped.body);
  }

  /**
   * The event as JSON text (sent as one string with the agent request's head, never copied into a Buffer) and its
   * UTF-8 length, or 413 when it is larger than `maxBytes`.
   */
  function buildEvent(
    exchange: Http1Exchange,
    request: RoutedRequest,
    body: Buffer,
    maxBytes: number,
  ): { json: string; bytes: number } {
    const input = {
      request,
      rawHeaders: exchange.rawHeaders,
      body,
      protocol: `HTTP/${exchange.httpVersion}`,
    };
    const json =
      request.route.payloadFormatVersion === "1.0"
        ? JSON.stringify(buildPayloadV1(input))
        : payloadV2Json(input, exchange.head.jsonSafe);
    const bytes = eventIsAscii(input, exchange.head.ascii) ? json.length : Buffer.byteLength(json, "utf8");
    if (bytes > maxBytes) throw new HttpError(413, "RequestTooLarge", "Request Entity Too Large");
    return { json, bytes };
  }

  async function enqueue(
    exchange: Http1Exchange,
    request: RoutedRequest,
    fn: FunctionSettings,
  ): Promise<void> {
    const body = await readBody(exchange, asyncLimits);
    if (!options.asyncInvoker) {
      throw new HttpError(501, "NotImplemented", "asynchronous invocation is not configured on this gateway");
    }
    const { json } = buildEvent(exchange, request, body, asyncLimits.maxBytes);
    await options.asyncInvoker.enqueue(fn, json, request.id);
    respondJson(exchange, 202, { requestId: request.id }, [["apigw-requestid", request.id]]);
  }

  // A request goes from step to step synchronously while nothing has to wait (the pipeline decided locally, the
  // body is in); a step that must wait (an auth stage asking Redis, a body still arriving) continues from its
  // promise, and the function's answer comes back through a callback. No promise or microtask hop per request on
  // the common path (docs/gateway-performance.md "Eighth round").
  function serve(exchange: Http1Exchange, request: GatewayRequest, started: number): void {
    try {
      if (answerPreflight(exchange, request)) return finished(exchange, request, started);
      const run = pipeline.run(request);
      if (!(run instanceof Promise)) return routed(exchange, request as RoutedRequest, started, run);
      run.then(
        (result) => routed(exchange, request as RoutedRequest, started, result),
        (error: unknown) => failed(exchange, request, started, error),
      );
    } catch (error) {
      failed(exchange, request, started, error);
    }
  }

  function routed(
    exchange: Http1Exchange,
    request: RoutedRequest,
    started: number,
    result: PipelineResult,
  ): void {
    try {
      if (result.async) {
        enqueue(exchange, request, result.fn).then(
          () => finished(exchange, request, started),
          (error: unknown) => failed(exchange, request, started, error),
        );
        return;
      }
      const read = readBody(exchange, syncLimits);
      if (!(read instanceof Promise)) return invoke(exchange, request, started, result, read);
      read.then(
        (body) => invoke(exchange, request, started, result, body),
        (error: unknown) => failed(exchange, request, started, error),
      );
    } catch (error) {
      failed(exchange, request, started, error);
    }
  }

  function invoke(
    exchange: Http1Exchange,
    request: RoutedRequest,
    started: number,
    result: PipelineResult,
    body: Buffer,
  ): void {
    try {
      const event = buildEvent(exchange, request, body, syncLimits.maxBytes);
      const route = result.route;
      options.invoker.call(
        result.fn,
        {
          requestId: request.id,
          payload: event.json,
          payloadBytes: event.bytes,
          timeoutMs: result.fn.timeoutMs,
          graceMs: AGENT_GRACE_MS,
          // A Route's integration timeout bounds the whole call, as API Gateway's does.
          overallTimeoutMs: route.routeRef ? route.timeoutMilliseconds : undefined,
        },
        (error, invoked) => {
          try {
            if (error) throw httpInvokeError(error);
            respondInvoked(exchange, request, result, invoked!);
            finished(exchange, request, started);
          } catch (thrown) {
            failed(exchange, request, started, thrown);
          }
        },
      );
    } catch (error) {
      failed(exchange, request, started, error);
    }
  }

  /** Answers a request that failed (unless it was answered already), then counts it. */
  function failed(exchange: Http1Exchange, request: GatewayRequest, started: number, error: unknown): void {
    if (!(error instanceof HttpError)) logger.error({ err: error, requestId: request.id }, "request failed");
    respondError(exchange, error, request.id);
    finished(exchange, request, started);
  }

  /** The request's metric and access-log line, once it was answered. */
  function finished(exchange: Http1Exchange, request: GatewayRequest, started: number): void {
    const route = request.route;
    const fnLabel = route ? `${route.function.namespace}/${route.function.name}` : "-";
    const seconds = (performance.now() - started) / 1000;
    metrics.request(route?.routeKey ?? "-", fnLabel, exchange.statusCode, seconds);
    if (options.accessLog) {
      logger.info(
        {
          requestId: request.id,
          method: request.method,
          path: request.rawPath,
          status: exchange.statusCode,
          durationMs: Math.round(seconds * 1e4) / 10,
          function: fnLabel,
          route: route?.routeKey,
          sourceIp: request.sourceIp,
        },
        "request",
      );
    }
  }

  return (exchange) => {
    const started = performance.now();
    const request = toGatewayRequest(exchange, newRequestId(), clock.now(), contextOptions);
    serve(exchange, request, started);
  };
}
