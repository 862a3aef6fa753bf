// One POST /invoke to one agent (api/agent.ts) and what came back, classified: a finished invocation, an
// instance that refused (429 InstanceBusy / 503 NotReady: try another one), or a transport failure.
import { AgentHeaders } from "../../api/agent.js";
import { INVALID_FIELD_VALUE_CHAR, NON_ASCII, NOT_PLAIN_FIELD_VALUE_CHAR } from "../http1/http-syntax.js";
import { ResponseTooLarge, type AgentResponse } from "./agent-connection.js";
import type { AgentPool } from "./agent-pool.js";
import type { Cancellation } from "./cancellation.js";
import { lastNumberText } from "../number-text.js";

export { ResponseTooLarge };

export interface InvokeRequest {
  requestId: string;
  /** the event: bytes, or a JSON string (the gateway's events), sent as UTF-8 */
  payload: Buffer | string;
  /** the payload's UTF-8 length, when the caller knows it without scanning a string payload */
  payloadBytes?: number;
  deadlineMs: number;
  logType?: "Tail";
  clientContext?: string;
  invokedArn?: string;
}

export type AgentOutcome =
  | { kind: "done"; payload: Buffer; functionError?: string; logResult?: string; durationMs?: number }
  | { kind: "refused"; status: number; code: string }
  | { kind: "failed"; error: Error };

const deadlineText = lastNumberText();
const REQUEST_ID_FIELD = `\r\n${AgentHeaders.requestId}: `;
const DEADLINE_FIELD = `\r\n${AgentHeaders.deadlineMs}: `;

/** What every request to one agent starts with, and whether that is ASCII. */
interface PoolHead {
  /** the start up to the request id's value, for a Content-Length: one piece, not four */
  start: (length: number) => string;
  ascii: boolean;
}
const poolHeads = new WeakMap<AgentPool, PoolHead>();

function poolHead(pool: AgentPool): PoolHead {
  let head = poolHeads.get(pool);
  if (head === undefined) {
    head = {
      start: lastNumberText(
        `POST /invoke HTTP/1.1\r\nhost: ${pool.hostHeader}\r\ncontent-type: application/json\r\ncontent-length: `,
        REQUEST_ID_FIELD,
      ),
      ascii: !NON_ASCII.test(pool.hostHeader),
    };
    poolHeads.set(pool, head);
  }
  return head;
}

/** Bodies up to this size are copied after the head so the request leaves in one small allocation. */
const ONE_WRITE_MAX_BYTES = 64 * 1024;

/**
 * One call, whose outcome goes to `done`; an error instead only for the cancellation's reason (a timeout) or
 * ResponseTooLarge.
 */
export function startAgentCall(
  pool: AgentPool,
  request: InvokeRequest,
  signal: Cancellation,
  maxResponseBytes: number,
  done: (error: Error | undefined, outcome?: AgentOutcome) => void,
): void {
  const bytes = agentRequest(pool, request);
  if (bytes instanceof Error) return done(undefined, { kind: "failed", error: bytes });
  pool.call(bytes, maxResponseBytes, signal, (error, response) => {
    if (!error) done(undefined, classify(response!));
    else if (error instanceof ResponseTooLarge || error === signal.reason) done(error);
    else done(undefined, { kind: "failed", error });
  });
}

/** One POST /invoke (bytes, or an ASCII string), or what is wrong with a header it would carry. */
function agentRequest(pool: AgentPool, request: InvokeRequest): Buffer | string | Error {
  const { payload } = request;
  const length =
    typeof payload !== "string"
      ? payload.length
      : (request.payloadBytes ?? Buffer.byteLength(payload, "utf8"));
  // Few pieces: each join of two strings is an object V8 allocates, and what is allocated per request costs the
  // gateway more than its own construction (docs/gateway-performance.md "Tenth round").
  const poolText = poolHead(pool);
  let head = poolText.start(length) + request.requestId + DEADLINE_FIELD + deadlineText(request.deadlineMs);
  if (request.logType) head += `\r\n${AgentHeaders.logType}: ${request.logType}`;
  if (request.clientContext) head += `\r\n${AgentHeaders.clientContext}: ${request.clientContext}`;
  if (request.invokedArn) head += `\r\n${AgentHeaders.invokedArn}: ${request.invokedArn}`;
  // The head is judged by its parts (the rest is ASCII by construction), not as the string just joined: a regular
  // expression on a joined string first makes V8 flatten it in the runtime.
  let ascii = poolText.ascii;
  for (const value of [request.requestId, request.logType, request.clientContext, request.invokedArn]) {
    if (!value || !NOT_PLAIN_FIELD_VALUE_CHAR.test(value)) continue;
    if (INVALID_FIELD_VALUE_CHAR.test(value))
      return new Error("a header for the agent holds characters HTTP does not allow");
    ascii = false;
  }
  return requestBytes(head + "\r\n\r\n", ascii, payload, length);
}

function requestBytes(
  head: string,
  headIsAscii: boolean,
  body: Buffer | string,
  length: number,
): Buffer | string {
  // A short ASCII request is written as one string, as Latin-1 (AgentPool.call): a byte per character, without
  // UTF-8's encoding pass, and no Buffer allocated and copied here. A string body is ASCII when its UTF-8 length
  // is its length.
  if (typeof body === "string" && length <= ONE_WRITE_MAX_BYTES && headIsAscii && length === body.length)
    return head + body;
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const headLength = Buffer.byteLength(head, "latin1");
  if (payload.length > ONE_WRITE_MAX_BYTES) return Buffer.concat([Buffer.from(head, "latin1"), payload]);
  const bytes = Buffer.allocUnsafe(headLength + payload.length);
  bytes.write(head, 0, "latin1");
  payload.copy(bytes, headLength);
  return bytes;
}

function classify({ status, body, functionError, logResult, durationMs }: AgentResponse): AgentOutcome {
  if (status === 429 || status === 503) return { kind: "refused", status, code: codeOf(body) };
  if (status !== 200) {
    return { kind: "failed", error: new Error(`agent answered ${status}: ${body.toString("utf8", 0, 200)}`) };
  }
  return {
    kind: "done",
    payload: body,
    functionError,
    logResult,
    durationMs: Number(durationMs) || undefined,
  };
}

function codeOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { code?: unknown };
    return typeof parsed.code === "string" ? parsed.code : "Unknown";
  } catch {
    return "Unknown";
  }
}
