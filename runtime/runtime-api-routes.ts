// The routes of the Lambda Runtime API, independent of the HTTP server that carries them (node:http on TCP for
// any runtime, the raw Unix-socket server for Kappa's own Node host).
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

export interface ApiRequest {
  method: string;
  path: string;
  /** lower-case names */
  headers: Record<string, string | undefined>;
  /** empty when `bytes` is over MAX_RESPONSE_BYTES (the body was only counted) */
  body: Buffer;
  bytes: number;
}

export interface ApiReplier {
  send(status: number, headers: Record<string, string | number>, body: Buffer | string): void;
  /** the connection is gone: an event must not be handed to it */
  gone(): boolean;
}

const BASE = "/2018-06-01/runtime/";
const NEXT = `${BASE}invocation/next`;
const INIT_ERROR = `${BASE}init/error`;
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

function sendJson(reply: ApiReplier, answer: ApiAnswer): void {
  reply.send(answer.status, { "content-type": "application/json" }, JSON.stringify(answer.body));
}

/** Whether the route reads a request body (the others are GETs). */
export function wantsBody(method: string): boolean {
  return method === "POST";
}

export function dispatchRuntimeApi(listener: RuntimeApiListener, req: ApiRequest, reply: ApiReplier): void {
  const { method, path } = req;
  if (method === "GET" && path === NEXT) {
    listener.next(
      (event) => reply.send(200, nextHeaders(event), event.body),
      () => reply.gone(),
    );
    return;
  }
  if (method === "GET" && path === "/kappa/v1/prime") {
    listener.prime((config) => sendJson(reply, { status: 200, body: config }));
    return;
  }
  const errorType = req.headers["lambda-runtime-function-error-type"];
  if (method === "POST" && path === INIT_ERROR) {
    sendJson(reply, listener.initError(normalizeRuntimeError(req.body, errorType)));
    return;
  }
  const match = method === "POST" ? INVOCATION.exec(path) : null;
  if (match) {
    const requestId = decodeURIComponent(match[1]!);
    if (match[2] === "error") {
      sendJson(reply, listener.error(requestId, normalizeRuntimeError(req.body, errorType)));
      return;
    }
    if (req.headers["lambda-runtime-function-response-mode"] === "streaming") {
      sendJson(reply, {
        status: 400,
        body: {
          errorType: "InvalidFunctionResponseMode",
          errorMessage: "response streaming is not supported",
        },
      });
      return;
    }
    const answer =
      req.bytes > MAX_RESPONSE_BYTES
        ? listener.responseTooLarge(requestId, req.bytes)
        : listener.response(requestId, req.body, req.headers["content-type"]);
    sendJson(reply, answer);
    return;
  }
  sendJson(reply, {
    status: 404,
    body: { errorType: "NotFound", errorMessage: `no route for ${method} ${path}` },
  });
}
