// The agent port's socket, owned by the supervisor while host workers come and go. It is bound here but never
// accepted on here: a host worker receives it (child_process IPC) and listens; when that worker dies the socket
// stays open in this process, so connections wait in the kernel's backlog until the next worker accepts them.
// node:cluster does the same for SCHED_NONE, but closes the socket when its last worker exits.
import net from "node:net";

/** The libuv TCP handle Node creates for a server; send()-able to a child, listen()-able there. */
export interface ListenHandle {
  getsockname(out: { port?: number; address?: string }): number;
  close(): void;
}

type CreateServerHandle = (
  address: string,
  port: number,
  addressType: 4 | 6,
  fd?: number,
  flags?: number,
) => ListenHandle | number;

export class ListenError extends Error {}

/** Binds host:port (port 0 = a free one) without listening; returns the handle and the bound port. */
export function bindListenHandle(host: string, port: number): { handle: ListenHandle; port: number } {
  // net._createServerHandle is what node:cluster's primary uses to bind a port for its workers.
  const create = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof create !== "function") throw new ListenError("this Node.js has no net._createServerHandle");
  const result = create(host, port, net.isIPv6(host) ? 6 : 4);
  if (typeof result === "number") {
    throw new ListenError(`cannot bind ${host}:${port}: error ${result}; is the port in use?`);
  }
  // libuv defers a bind error (EADDRINUSE) to listen(); an unbound socket has no name yet, which tells it now.
  const out: { port?: number } = {};
  result.getsockname(out);
  if (!out.port) {
    result.close();
    throw new ListenError(
      `cannot bind ${host}:${port}: is the port in use or the address not on this machine?`,
    );
  }
  return { handle: result, port: out.port };
}
