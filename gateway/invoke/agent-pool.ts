// The keep-alive connections to one agent: idle ones are reused most-recently-used first (so a quiet period
// lets the rest age out), at most MAX_CONNECTIONS open, callers beyond that wait for one to come back.
import { performance } from "node:perf_hooks";
import { AgentConnection, AgentTransportError, type AgentReplyCallback } from "./agent-connection.js";
import type { Cancellation } from "./cancellation.js";

/** Connections per agent; an agent serves perInstance requests at once, so more would only queue there. */
const MAX_CONNECTIONS = 256;
/** Idle connections older than this are closed (the agent's own keep-alive timeout is 65 s). */
export const KEEP_ALIVE_MS = 60_000;

export class AgentPool {
  private readonly idle: AgentConnection[] = [];
  private readonly all = new Set<AgentConnection>();
  private readonly waiting: ((connection: AgentConnection | Error) => void)[] = [];
  private open = 0;
  private closed = false;
  /** the Host header of every request */
  readonly hostHeader: string;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.hostHeader = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /**
   * Sends one request (bytes, or a string of ASCII characters, which is written as Latin-1) on an idle or new
   * connection and calls `done` with the reply. Cancelling destroys the connection (the agent sees the request
   * end) and calls `done` with the cancellation's reason.
   */
  call(request: Buffer | string, maxBytes: number, signal: Cancellation, done: AgentReplyCallback): void {
    if (signal.reason) return done(signal.reason);
    const next = this.takeIdle() ?? this.connectOrWait();
    if (next instanceof AgentConnection) return next.send(request, maxBytes, signal, done);
    next.then(
      (connection) => {
        if (!signal.reason) return connection.send(request, maxBytes, signal, done);
        this.returned(connection);
        done(signal.reason);
      },
      (error: Error) => done(error),
    );
  }

  /** Closes idle connections that have been idle too long. */
  sweep(): void {
    const oldest = performance.now() - KEEP_ALIVE_MS;
    for (const connection of this.idle.filter((c) => c.idleSince < oldest))
      connection.destroy(new AgentTransportError("idle too long"));
  }

  /** Closes idle connections now and busy ones when their reply is in; `destroy` closes busy ones now too. */
  close(destroy = false): void {
    this.closed = true;
    const connections = destroy ? [...this.all] : [...this.idle];
    for (const connection of connections)
      connection.destroy(new AgentTransportError("the agent pool was closed"));
    for (const waiter of this.waiting.splice(0)) waiter(new AgentTransportError("the agent pool was closed"));
  }

  private takeIdle(): AgentConnection | undefined {
    const now = performance.now();
    let connection = this.idle.pop();
    while (connection && now - connection.idleSince > KEEP_ALIVE_MS) {
      connection.destroy(new AgentTransportError("idle too long"));
      connection = this.idle.pop();
    }
    return connection;
  }

  private connectOrWait(): AgentConnection | Promise<AgentConnection> {
    if (this.closed) return Promise.reject(new Error("the agent pool was closed"));
    if (this.open < MAX_CONNECTIONS) {
      this.open++;
      const connection = new AgentConnection(
        this.host,
        this.port,
        (c) => this.returned(c),
        (c) => this.lost(c),
      );
      this.all.add(connection);
      return connection;
    }
    return new Promise((resolve, reject) =>
      this.waiting.push((c) => (c instanceof Error ? reject(c) : resolve(c))),
    );
  }

  private returned(connection: AgentConnection): void {
    if (this.closed) {
      connection.destroy(new AgentTransportError("the agent pool was closed"));
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(connection);
    else this.idle.push(connection);
  }

  private lost(connection: AgentConnection): void {
    this.open--;
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    const waiter = this.waiting.shift();
    if (waiter) {
      const replacement = this.connectOrWait();
      if (replacement instanceof AgentConnection) waiter(replacement);
      else this.waiting.unshift(waiter);
    }
  }
}
