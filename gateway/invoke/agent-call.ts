// One POST /invoke to one agent (api/agent.ts) and what came back, classified: a finished invocation, an
// instance that refused (429 InstanceBusy / 503 NotReady: try another one), or a transport failure.
import type { Pool } from "undici";
import { AgentHeaders } from "../../api/agent.js";

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  logType?: "Tail";
  clientContext?: string;
  invokedArn?: string;
}

export type AgentOutcome =
  | { kind: "done"; payload: Buffer; functionError?: string; logResult?: string; durationMs?: number }
  | { kind: "refused"; status: number; code: string }
  | { kind: "failed"; error: Error };

export class ResponseTooLarge extends Error {
  override readonly name = "ResponseTooLarge";
}

export async function callAgent(
  pool: Pool,
  request: InvokeRequest,
  signal: AbortSignal,
  maxResponseBytes: number,
): Promise<AgentOutcome> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [AgentHeaders.requestId]: request.requestId,
    [AgentHeaders.deadlineMs]: String(request.deadlineMs),
  };
  if (request.logType) headers[AgentHeaders.logType] = request.logType;
  if (request.clientContext) headers[AgentHeaders.clientContext] = request.clientContext;
  if (request.invokedArn) headers[AgentHeaders.invokedArn] = request.invokedArn;
  let response;
  try {
    response = await pool.request({
      path: "/invoke",
      method: "POST",
      headers,
      body: request.payload,
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { kind: "failed", error: error as Error };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLarge(`the function's response is larger than ${maxResponseBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof ResponseTooLarge) throw error;
    if (signal.aborted) throw signal.reason;
    return { kind: "failed", error: error as Error };
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  if (response.statusCode === 429 || response.statusCode === 503) {
    return { kind: "refused", status: response.statusCode, code: codeOf(body) };
  }
  if (response.statusCode !== 200) {
    return {
      kind: "failed",
      error: new Error(`agent answered ${response.statusCode}: ${body.toString("utf8", 0, 200)}`),
    };
  }
  const h = response.headers;
  return {
    kind: "done",
    payload: body,
    functionError: headerString(h[AgentHeaders.functionError]),
    logResult: headerString(h[AgentHeaders.logResult]),
    durationMs: Number(headerString(h[AgentHeaders.durationMs])) || undefined,
  };
}

const headerString = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

function codeOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { code?: unknown };
    return typeof parsed.code === "string" ? parsed.code : "Unknown";
  } catch {
    return "Unknown";
  }
}
