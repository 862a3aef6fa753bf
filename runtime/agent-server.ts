// The agent's HTTP API (api/agent.ts): /invoke for the gateway, /specialize for the controller's warm pools,
// health, readiness and metrics. Plain node:http: this sits on every invocation's path.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { AgentHeaders } from "../api/agent.js";
import type { FunctionInstance } from "./function-instance.js";
import type { AgentMetrics } from "./metrics.js";
import { parseSpecializeRequest } from "./specialize-request.js";

/** Lambda's synchronous request payload limit. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const MAX_SPECIALIZE_BYTES = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createAgentServer(instance: FunctionInstance, metrics: AgentMetrics, log: Logger): Server {
  async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = header(req, AgentHeaders.requestId);
    if (!requestId) {
      json(res, 400, { code: "BadRequest", message: `the ${AgentHeaders.requestId} header is required` });
      return;
    }
    const deadlineText = header(req, AgentHeaders.deadlineMs);
    const deadlineMs = deadlineText === undefined ? undefined : Number(deadlineText);
    if (deadlineMs !== undefined && !Number.isFinite(deadlineMs)) {
      json(res, 400, {
        code: "BadRequest",
        message: `${AgentHeaders.deadlineMs} must be epoch milliseconds`,
      });
      return;
    }
    let clientContext: string | undefined;
    const clientContextB64 = header(req, AgentHeaders.clientContext);
    if (clientContextB64) {
      clientContext = Buffer.from(clientContextB64, "base64").toString("utf8");
      try {
        JSON.parse(clientContext);
      } catch {
        json(res, 400, {
          code: "BadRequest",
          message: `${AgentHeaders.clientContext} must be base64 of JSON`,
        });
        return;
      }
    }
    const body = await readBody(req, MAX_REQUEST_BYTES);
    const invokedArn = header(req, AgentHeaders.invokedArn);
    metrics.inflight.inc();
    let outcome;
    try {
      outcome = await instance.invoke({
        requestId,
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
        ...(invokedArn ? { invokedArn } : {}),
        ...(clientContext ? { clientContext } : {}),
        contentType: header(req, "content-type") ?? "application/json",
        body,
        tail: header(req, AgentHeaders.logType) === "Tail",
      });
    } finally {
      metrics.inflight.dec();
    }
    if (outcome.kind === "busy") {
      metrics.outcome.busy.inc();
      json(res, 429, { code: "InstanceBusy", message: "all concurrency slots of this instance are in use" });
      return;
    }
    if (outcome.kind === "notReady") {
      metrics.outcome.notReady.inc();
      json(res, 503, { code: "NotReady", message: "no function is loaded on this instance yet" });
      return;
    }
    const { result } = outcome;
    (result.ok ? metrics.outcome.success : metrics.outcome.error).inc();
    metrics.duration.observe(outcome.durationMs / 1000);
    const headers: Record<string, string | number> = {
      [AgentHeaders.durationMs]: outcome.durationMs.toFixed(2),
    };
    if (outcome.logResult !== undefined) headers[AgentHeaders.logResult] = outcome.logResult;
    if (result.ok) {
      headers["content-type"] = result.contentType;
      headers["content-length"] = result.body.length;
      res.writeHead(200, headers);
      res.end(result.body);
      return;
    }
    const text = JSON.stringify(result.error);
    headers[AgentHeaders.functionError] = "Unhandled";
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(text);
    res.writeHead(200, headers);
    res.end(text);
  }

  async function specialize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readBody(req, MAX_SPECIALIZE_BYTES)).toString("utf8"));
    } catch (err) {
      if (err instanceof BodyTooLarge) throw err;
      json(res, 400, {
        code: "BadRequest",
        message: "the body must be a JSON SpecializeRequest (see api/agent.ts)",
      });
      return;
    }
    const request = parseSpecializeRequest(parsed);
    if (!request.ok) {
      json(res, 400, { code: "BadRequest", message: request.message });
      return;
    }
    const outcome = await instance.specialize(request.spec);
    json(res, outcome.status, outcome.body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/invoke") return invoke(req, res);
    if (req.method === "POST" && path === "/specialize") return specialize(req, res);
    if (req.method === "GET" && path === "/healthz") {
      return json(res, 200, { status: "ok", primed: instance.primedHostWaiting });
    }
    if (req.method === "GET" && path === "/readyz") {
      return instance.ready
        ? json(res, 200, { status: "ready", function: instance.functionName })
        : json(res, 503, { code: "NotReady", message: "no function is loaded on this instance yet" });
    }
    if (req.method === "GET" && path === "/metrics") {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(text);
      return;
    }
    json(res, 404, { code: "NotFound", message: `no route for ${req.method} ${path}` });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        if (!res.headersSent)
          json(res, 413, { code: "RequestTooLarge", message: "the request body exceeds 6 MB" });
        return;
      }
      log.error({ err }, "agent request failed");
      if (!res.headersSent)
        json(res, 500, { code: "InternalError", message: "the agent failed; see its log" });
    });
  });
  // Invocations may run for up to 900 s: the request timeout must not cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return server;
}
