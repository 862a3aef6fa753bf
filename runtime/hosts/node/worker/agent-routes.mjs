// The agent's HTTP API (api/agent.ts), served by the host worker itself so that an invocation costs one
// process and one wake-up: /invoke, /specialize (prepared by the supervisor), /healthz, /readyz, /metrics.
// Same paths, headers, status codes and messages as runtime/agent-server.ts.
import { createServer } from "node:http";
import { DURATION_HEADER, FUNCTION_ERROR_HEADER, LOG_RESULT_HEADER } from "./replies.mjs";
import { METRICS_CONTENT_TYPE } from "./worker-metrics.mjs";

const REQUEST_ID = "x-kappa-request-id";
const DEADLINE = "x-kappa-deadline-ms";
const LOG_TYPE = "x-kappa-log-type";
const CLIENT_CONTEXT = "x-kappa-client-context";
const INVOKED_ARN = "x-kappa-invoked-arn";

/** Lambda's synchronous request payload limit. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const MAX_SPECIALIZE_BYTES = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let bytes = 0;
    req.on("data", (chunk) => {
      bytes += chunk.length;
      if (bytes > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function header(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * @param worker {runner, metrics, primed(): boolean, retiring(): boolean, specialize(body: Buffer) => Promise<{status, body}>, log}
 */
export function createAgentServer(worker) {
  const { runner, metrics } = worker;

  function json(res, status, body) {
    const text = JSON.stringify(body);
    const headers = ["content-type", "application/json", "content-length", Buffer.byteLength(text)];
    if (worker.retiring()) headers.push("connection", "close");
    res.writeHead(status, headers);
    res.end(text);
  }

  // Callbacks rather than async functions: this is the per-invocation path, and every promise costs here.
  function invoke(req, res) {
    const requestId = header(req, REQUEST_ID);
    if (!requestId)
      return json(res, 400, { code: "BadRequest", message: `the ${REQUEST_ID} header is required` });
    const deadlineText = header(req, DEADLINE);
    const deadlineMs = deadlineText === undefined ? undefined : Number(deadlineText);
    if (deadlineMs !== undefined && !Number.isFinite(deadlineMs)) {
      return json(res, 400, { code: "BadRequest", message: `${DEADLINE} must be epoch milliseconds` });
    }
    let clientContext;
    const clientContextB64 = header(req, CLIENT_CONTEXT);
    if (clientContextB64) {
      clientContext = Buffer.from(clientContextB64, "base64").toString("utf8");
      try {
        JSON.parse(clientContext);
      } catch {
        return json(res, 400, { code: "BadRequest", message: `${CLIENT_CONTEXT} must be base64 of JSON` });
      }
    }
    const chunks = [];
    let bytes = 0;
    req.on("data", (chunk) => {
      bytes += chunk.length;
      if (bytes <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        received();
      } catch (err) {
        fail(res, err);
      }
    });
    function received() {
      if (bytes > MAX_REQUEST_BYTES) {
        return json(res, 413, { code: "RequestTooLarge", message: "the request body exceeds 6 MB" });
      }
      if (worker.retiring()) {
        // This process is being replaced: the next connection reaches its successor.
        metrics.outcomes.busy++;
        return json(res, 429, {
          code: "InstanceBusy",
          message: "this instance's process is being replaced; retry",
        });
      }
      metrics.inflight++;
      const input = {
        requestId,
        deadlineMs,
        invokedArn: header(req, INVOKED_ARN),
        clientContext,
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        tail: header(req, LOG_TYPE) === "Tail",
        socket: req.socket,
      };
      runner.invoke(input, (outcome) => {
        metrics.inflight--;
        answerInvoke(res, outcome);
      });
    }
  }

  function answerInvoke(res, outcome) {
    if (outcome.kind === "busy") {
      metrics.outcomes.busy++;
      return json(res, 429, {
        code: "InstanceBusy",
        message: "all concurrency slots of this instance are in use",
      });
    }
    if (outcome.kind === "notReady") {
      metrics.outcomes.not_ready++;
      return json(res, 503, { code: "NotReady", message: "no function is loaded on this instance yet" });
    }
    if (outcome.invocation) {
      if (outcome.invocation.answered) return; // the process's last words already answered it
      outcome.invocation.answered = true;
    }
    const { result } = outcome;
    metrics.outcomes[result.ok ? "success" : "error"]++;
    metrics.duration.observe(outcome.durationMs / 1000);
    const text = result.ok ? result.body : JSON.stringify(result.error);
    const headers = [
      DURATION_HEADER,
      outcome.durationMs.toFixed(2),
      "content-type",
      result.ok ? result.contentType : "application/json",
    ];
    if (!result.ok) headers.push(FUNCTION_ERROR_HEADER, "Unhandled");
    if (outcome.logResult !== undefined) headers.push(LOG_RESULT_HEADER, outcome.logResult);
    headers.push("content-length", Buffer.byteLength(text));
    if (worker.retiring()) headers.push("connection", "close");
    res.writeHead(200, headers);
    res.end(text);
  }

  async function specialize(req, res) {
    const body = await readBody(req, MAX_SPECIALIZE_BYTES);
    const started = performance.now();
    const outcome = await worker.specialize(body, req.socket);
    if (outcome.status === 200) metrics.specializeDuration.observe((performance.now() - started) / 1000);
    json(res, outcome.status, outcome.body);
  }

  async function route(req, res) {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/invoke") return invoke(req, res);
    if (req.method === "POST" && path === "/specialize") return specialize(req, res);
    if (req.method === "GET" && path === "/healthz")
      return json(res, 200, { status: "ok", primed: worker.primed() });
    if (req.method === "GET" && path === "/readyz") {
      if (!runner.ready) {
        return json(res, 503, { code: "NotReady", message: "no function is loaded on this instance yet" });
      }
      if (!worker.supervised()) {
        return json(res, 503, {
          code: "NotReady",
          message: "the agent's supervisor process is not responding",
        });
      }
      return json(res, 200, { status: "ready", function: runner.functionName });
    }
    if (req.method === "GET" && path === "/metrics") {
      const text = metrics.text();
      res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (path.startsWith("/2018-06-01/")) {
      return json(res, 404, {
        code: "NotFound",
        message:
          "Node functions run in-process here and this port serves no Runtime API; set KAPPA_NODE_HOST=runtime-api on the agent for one",
      });
    }
    json(res, 404, { code: "NotFound", message: `no route for ${req.method} ${path}` });
  }

  function fail(res, err) {
    if (err instanceof BodyTooLarge) {
      if (!res.headersSent)
        json(res, 413, { code: "RequestTooLarge", message: "the request body exceeds 6 MB" });
      return;
    }
    worker.log("error", "agent request failed", { err: { message: err?.message, stack: err?.stack } });
    if (!res.headersSent) json(res, 500, { code: "InternalError", message: "the agent failed; see its log" });
  }

  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/invoke") {
      try {
        invoke(req, res);
      } catch (err) {
        fail(res, err);
      }
      return;
    }
    route(req, res).catch((err) => fail(res, err));
  });
  // Invocations may run for up to 900 s: the request timeout must not cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return server;
}
