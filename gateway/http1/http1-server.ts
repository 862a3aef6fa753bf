// The function port's HTTP/1.1 server: net sockets, one Http1Connection each, and one sweep timer for all
// of them (header, body and keep-alive timeouts) instead of timers per request. Why not node:http: on the
// gateway's hot path its per-request objects, streams and events cost more CPU than the rest of the request
// (docs/gateway.md "Benchmark"). The Lambda/SQS API port stays on node:http.
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { Http1Connection, type Http1Limits } from "./http1-connection.js";
import { sharedReads } from "./shared-reads.js";
import type { Http1Handler } from "./http1-exchange.js";

export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

export class Http1Server {
  private readonly server: Server;
  private readonly connections = new Set<Http1Connection>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    handler: Http1Handler,
    limits: Omit<Http1Limits, "maxHeadBytes"> & { maxHeadBytes?: number },
    /** false: every connection reads through its socket's own stream (shared-reads.ts), as where Node's differ */
    options: { sharedReads?: boolean } = {},
  ) {
    const resolved: Http1Limits = { maxHeadBytes: DEFAULT_MAX_HEAD_BYTES, ...limits };
    const useSharedReads = options.sharedReads ?? true;
    // Paused on accept, so that nothing is read into the accepted socket's stream before shared reads take over.
    this.server = createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
      let connection: Http1Connection | undefined = undefined;
      const shared = useSharedReads
        ? sharedReads(accepted, (bytes) => connection!.receive(bytes))
        : undefined;
      connection = new Http1Connection(shared ?? accepted, handler, resolved, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(connection);
      if (!shared) {
        const own = connection;
        accepted.on("data", (chunk: Buffer) => own.receive(chunk));
        accepted.resume();
      }
    });
    // Timeouts hold to within a quarter of the shortest one (at least every 50 ms, at most every second).
    const every = Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4, limits.bodyTimeoutMs / 4));
    this.sweepTimer = setInterval(() => {
      const now = performance.now();
      for (const connection of this.connections) connection.sweep(now);
    }, every);
    this.sweepTimer.unref();
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Stops accepting, closes idle connections, lets each request in progress finish (its response says
   * connection: close) and resolves when none is running, or after `timeoutMs` with some still running.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.server.close();
    for (const connection of this.connections) connection.drain();
    const deadline = Date.now() + timeoutMs;
    const busy = () => [...this.connections].some((connection) => connection.busy);
    while (busy() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops accepting, closes every connection now, and resolves once the listener is closed. */
  close(): Promise<void> {
    clearInterval(this.sweepTimer);
    return new Promise((resolve) => {
      if (this.server.listening) this.server.close(() => resolve());
      else resolve();
      for (const connection of this.connections) connection.destroy();
    });
  }
}
