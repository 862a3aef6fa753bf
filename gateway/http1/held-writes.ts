// A socket's writes, held while the event loop handles one batch of ready sockets and sent when that batch is
// done. Under load one epoll wake hands the gateway many requests and replies; writing each at once wakes the agent
// or the client on the other side once per write, and it then reads one request per wake. Holding them to the end
// of the batch lets the receiver take several per wake: the gateway spent ~20% less CPU per request, the agent's
// stand-in ~7% (docs/gateway-performance.md "Fifth round"). Netty's FlushConsolidationHandler makes the same trade.
//
// What is held goes to the socket's handle directly when it can (handle-writes.ts), else through the socket. The
// hold ends in the check phase (setImmediate), right after the poll phase that produced the writes; unloaded, that
// is a few microseconds. At most MAX_HELD sockets are held at once, which bounds how long a busy turn can delay
// the first of its writes. Everything else that touches the socket's sending side (end(), destroy()) must come
// after release(), which end() here does itself. A write whose receiver should start on it at once (a request to an
// agent, which waits for nothing else the turn brings) goes with writeNow(), behind anything held.
import type { Socket } from "node:net";
import { type HeldData, writableHandle, writeError, writeToHandle } from "./handle-writes.js";

export const MAX_HELD = 32;

const held: HeldWrites[] = [];
let releaseScheduled = false;

export class HeldWrites {
  private pending: HeldData | undefined;
  /** writes libuv still holds part of (the kernel's buffer was full) */
  private unfinished = 0;
  private onDrained: (() => void) | undefined;
  private readonly finished = (status: number): void => this.afterUnfinishedWrite(status);

  constructor(private readonly socket: Socket) {}

  /**
   * Holds `data` (a string is sent as Latin-1, a byte per character) for the end of this turn. False when the
   * socket is not keeping up with what was written before: wait for whenDrained() before writing more.
   */
  write(data: string | Buffer): boolean {
    const pending = this.pending;
    if (pending === undefined) {
      this.pending = data;
      if (held.length >= MAX_HELD) releaseHeld();
      held.push(this);
      if (!releaseScheduled) {
        releaseScheduled = true;
        setImmediate(releaseAtTurnEnd);
      }
    } else if (typeof pending === "string" && typeof data === "string") this.pending = pending + data;
    else if (Array.isArray(pending)) pending.push(data);
    else this.pending = [pending, data];
    return this.keepingUp;
  }

  /** Whether the socket has taken everything written before: nothing left with libuv or in its stream's buffer. */
  private get keepingUp(): boolean {
    return this.unfinished === 0 && !this.socket.writableNeedDrain;
  }

  /** Whether something written is waiting for the turn's end. */
  get holding(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Sends `data` now, after anything held: for a write whose receiver should start on it at once rather than at the
   * turn's end. False as for write().
   */
  writeNow(data: string | Buffer): boolean {
    if (this.pending === undefined) this.send(data);
    else {
      this.write(data);
      this.release();
    }
    return this.keepingUp;
  }

  /** Sends what is held now. A destroyed socket's held data is dropped, as destroy() drops a stream's. */
  release(): void {
    const data = this.pending;
    if (data === undefined) return;
    this.pending = undefined;
    this.send(data);
  }

  private send(data: HeldData): void {
    if (this.socket.destroyed) return;
    const handle = writableHandle(this.socket);
    if (handle === undefined) return writeThroughStream(this.socket, data);
    const result = writeToHandle(handle, data, this.finished);
    if (result < 0) this.socket.destroy(writeError(result));
    else if (result > 0) this.unfinished++;
  }

  /** Ends the sending side after everything held (and `last`, if given). */
  end(last?: string): void {
    if (last !== undefined) this.write(last);
    this.release();
    this.socket.end();
  }

  /** Calls `callback` once the socket has taken everything written so far. */
  whenDrained(callback: () => void): void {
    if (this.socket.writableNeedDrain) this.socket.once("drain", () => this.whenDrained(callback));
    else if (this.unfinished > 0) this.onDrained = callback;
    else queueMicrotask(callback);
  }

  private afterUnfinishedWrite(status: number): void {
    this.unfinished--;
    if (status < 0) {
      // As net.Socket does for a failed write; once destroyed (a close cancels what libuv held), nothing to do.
      if (!this.socket.destroyed) this.socket.destroy(writeError(status));
      return;
    }
    const callback = this.onDrained;
    if (this.unfinished === 0 && callback !== undefined) {
      this.onDrained = undefined;
      this.whenDrained(callback);
    }
  }
}

function writeThroughStream(socket: Socket, data: HeldData): void {
  if (!Array.isArray(data)) {
    socket.write(data, typeof data === "string" ? "latin1" : undefined);
    return;
  }
  socket.cork();
  for (const chunk of data) socket.write(chunk, typeof chunk === "string" ? "latin1" : undefined);
  socket.uncork();
}

function releaseAtTurnEnd(): void {
  releaseScheduled = false;
  releaseHeld();
}

function releaseHeld(): void {
  for (let i = 0; i < held.length; i++) held[i]!.release();
  held.length = 0;
}
