// The ops port's answers: /metrics, /healthz, /readyz. Kept off the function port so a Route can own any path.
// Served by a gateway process, and by the primary of a node:cluster gateway (metrics summed over its workers).
import type { IncomingMessage, ServerResponse } from "node:http";

export interface OpsSource {
  metrics(): Promise<string>;
  metricsContentType: string;
  /** false: /readyz answers 503 */
  ready(): boolean;
  logger: { warn(object: object, message?: string): void };
}

const TEXT = { "content-type": "text/plain" };

export function answerOps(req: IncomingMessage, res: ServerResponse, source: OpsSource): void {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz") {
    res.writeHead(200, TEXT).end("ok");
  } else if (path === "/readyz") {
    const up = source.ready();
    res.writeHead(up ? 200 : 503, TEXT).end(up ? "ok" : "starting");
  } else if (path === "/metrics") {
    source.metrics().then(
      (text) => res.writeHead(200, { "content-type": source.metricsContentType }).end(text),
      (error: unknown) => {
        source.logger.warn({ err: String(error) }, "could not collect metrics");
        res.writeHead(500, TEXT).end("metrics unavailable");
      },
    );
  } else {
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
  }
}
