// Writes handed straight to a connected TCP socket's libuv handle, the calls net.Socket makes itself beneath its
// Writable stream (node's lib/internal/stream_base_commons.js). Skipping the stream — its write state, buffered
// chunk objects, cork and uncork, callbacks — saved the gateway ~1.4 us of CPU per proxied request, ~6%
// (docs/gateway-performance.md "Twelfth round").
//
// The handle's write methods and the WriteWrap request object are not public API: WriteWrap comes from
// process.binding("stream_wrap"). Both are checked once, and a Node without them (or one that refuses
// process.binding, as under the permission model) gets undefined from writableHandle(), so every write goes through
// the socket as before. The kernel sees the same bytes in the same order either way: libuv keeps a stream's writes
// in the order they were handed to it, and a socket whose stream still holds data of its own is never written
// around.
import type { Socket } from "node:net";
import { getSystemErrorName } from "node:util";
import { socketHandle } from "./socket-handle.js";

interface WriteRequest {
  handle: StreamHandle | undefined;
  oncomplete: (status: number) => void;
  async: boolean;
  bytes: number;
  /** keeps a Buffer (or the chunks of a writev) alive while libuv still reads it */
  buffer: unknown;
}

interface StreamBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface StreamHandle {
  writeLatin1String(request: WriteRequest, data: string): number;
  writeBuffer(request: WriteRequest, data: Buffer): number;
  writev(request: WriteRequest, chunks: Array<string | Buffer>, allBuffers: boolean): number;
}

const WRITE_METHODS = ["writeLatin1String", "writeBuffer", "writev"] as const;

/** What one write hands the kernel: a string (written as Latin-1, a byte per character), bytes, or several. */
export type HeldData = string | Buffer | Array<string | Buffer>;

function loadBinding(): StreamBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamBinding> }).binding(
      "stream_wrap",
    );
    return typeof binding.WriteWrap === "function" &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kLastWriteWasAsync === "number"
      ? (binding as StreamBinding)
      : undefined;
  } catch {
    return undefined;
  }
}

let binding = loadBinding();
// Taken out of the binding object, which V8 keeps as a dictionary: a load from it per write is a slow lookup.
const WriteWrap = binding?.WriteWrap;
const streamBaseState = binding?.streamBaseState ?? new Int32Array(0);
const LAST_WRITE_WAS_ASYNC = binding?.kLastWriteWasAsync ?? 0;
/**
 * A request object whose last write finished at once: node attached nothing to it (it binds its C++ request to the
 * object only for a write libuv has to finish later), so it can carry the next write. Saves a construction per write.
 */
let spare: WriteRequest | undefined;

/** For tests, and the fallback's own tests: writes through the socket's stream only. */
export function disableHandleWrites(): void {
  binding = undefined;
}

/** Whether this Node offers what direct writes need. */
export const handleWritesAvailable = (): boolean => binding !== undefined;

/**
 * The handle of a connected socket whose stream holds nothing (nothing buffered, corked or in flight, not ended),
 * or undefined when the write must go through the socket. A socket still connecting may not have a connection to
 * write to yet (its address is being looked up); its stream holds writes until it has.
 */
export function writableHandle(socket: Socket): StreamHandle | undefined {
  if (binding === undefined || socket.connecting || !socket.writable || socket.writableLength > 0)
    return undefined;
  return socketHandle<StreamHandle>(socket, WRITE_METHODS);
}

/**
 * Hands `data` to the handle. Returns 0 when the kernel took all of it now, 1 when libuv holds the rest and
 * `oncomplete` will follow with its status, or a negative errno (nothing was written, no `oncomplete`).
 */
export function writeToHandle(
  handle: StreamHandle,
  data: HeldData,
  oncomplete: (status: number) => void,
): number {
  const request = spare ?? newRequest();
  spare = undefined;
  request.handle = handle;
  request.oncomplete = oncomplete;
  let error: number;
  if (typeof data === "string") error = handle.writeLatin1String(request, data);
  else if (!Array.isArray(data)) error = handle.writeBuffer(request, data);
  else {
    const chunks: Array<string | Buffer> = [];
    for (const chunk of data) chunks.push(chunk, typeof chunk === "string" ? "latin1" : "buffer");
    error = handle.writev(request, chunks, false);
    data = chunks;
  }
  if (error !== 0) return error;
  if (streamBaseState[LAST_WRITE_WAS_ASYNC] === 0) {
    // Kept without the socket it wrote to, which may go away before the next write.
    request.handle = undefined;
    request.oncomplete = ignoreStatus;
    spare = request;
    return 0;
  }
  // A string's unwritten rest was copied by node; bytes and chunks are read where they are until oncomplete.
  request.async = true;
  request.buffer = data;
  return 1;
}

function newRequest(): WriteRequest {
  const request = new WriteWrap!();
  request.handle = undefined;
  request.oncomplete = ignoreStatus;
  request.async = false;
  request.bytes = 0;
  request.buffer = null;
  return request;
}

function ignoreStatus(): void {}

/** A write's negative status as the error net.Socket would have destroyed itself with. */
export function writeError(status: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { errno: status, code, syscall: "write" });
}
