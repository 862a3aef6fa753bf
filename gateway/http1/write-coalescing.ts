// Writes made while the event loop handles one batch of ready sockets go out when that batch is done, not one
// by one as each request reaches them. Under load one epoll wake hands the gateway many requests and replies;
// writing each at once wakes the agent or the client on the other side once per write, and it then reads one
// request per wake. Holding them to the end of the batch lets the receiver take several per wake: the gateway
// spent ~20% less CPU per request, the agent's stand-in ~7% (docs/gateway-performance.md "Fifth round"). Netty's
// FlushConsolidationHandler makes the same trade.
//
// A held socket is corked, so every write on it keeps its order (later writes, end(), or a 100 Continue all
// queue behind it), and Writable's return value still reports backpressure. The hold ends in
// the check phase (setImmediate), right after the poll phase that produced the writes; unloaded, that is a few
// microseconds. At most MAX_HELD sockets are held at once, which bounds how long a busy turn can delay the
// first of its writes.
import type { Socket } from "node:net";

export const MAX_HELD = 32;

const held: Socket[] = [];
let releaseScheduled = false;

/** Holds `socket`'s writes until the event loop finishes the current batch of I/O. */
export function holdWrites(socket: Socket): void {
  if (socket.writableCorked > 0 && held.includes(socket)) return;
  if (held.length >= MAX_HELD) releaseHeld();
  socket.cork();
  held.push(socket);
  if (!releaseScheduled) {
    releaseScheduled = true;
    setImmediate(releaseAtTurnEnd);
  }
}

/** Sends what `socket` holds now (before a destroy() that would discard it). */
export function releaseWrites(socket: Socket): void {
  while (socket.writableCorked > 0) socket.uncork();
}

function releaseAtTurnEnd(): void {
  releaseScheduled = false;
  releaseHeld();
}

function releaseHeld(): void {
  // end() and destroy() may have uncorked a socket already; uncork() below zero is a no-op.
  for (let i = 0; i < held.length; i++) held[i]!.uncork();
  held.length = 0;
}
