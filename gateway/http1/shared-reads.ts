// Reads of the function port's connections go into one buffer shared by all of them (net's `onread`), as the agent
// client's already do (invoke/agent-connection.ts): a read is handled synchronously in its callback, and only what
// outlives the callback (a partial head, body bytes, pipelined bytes) is copied out. Without it every read
// allocates a 64 KiB buffer, shrinks it, wraps it in an ArrayBuffer and goes through the readable stream's push,
// 'data' and nextTick: the gateway spent ~8% more CPU per request (docs/gateway-performance.md "Eighth round").
//
// Node offers `onread` only to the sockets it creates, not to those a server accepts. So the server pauses each
// accepted socket before it reads (pauseOnConnect) and a new Socket made with `onread` takes over its handle; the
// accepted one, left without a handle, is destroyed, which also counts it out of the server. The handle is
// net.Socket's undocumented `_handle`: where it is not what this expects, the accepted socket is used as it is,
// with its readable stream (`sharedReads` returns undefined).
import { Socket } from "node:net";
import { socketHandle } from "./socket-handle.js";

/** The one buffer every function-port read lands in; a view of it is valid only during its callback. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** True when `bytes` is a view of the shared read buffer, which the next read overwrites. */
export function isSharedReadBuffer(bytes: Buffer): boolean {
  return bytes.buffer === READ_BUFFER.buffer;
}

interface StreamHandle {
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  reading: boolean;
}

const READ_METHODS = ["useUserBuffer", "readStart", "readStop"] as const;
const handleOf = (socket: Socket) => socketHandle<StreamHandle>(socket, READ_METHODS);

/**
 * A socket on `accepted`'s connection whose reads go to `onRead` as views of the shared buffer, or undefined when
 * this Node's sockets cannot be taken over (then `accepted` is unchanged, still paused).
 */
export function sharedReads(accepted: Socket, onRead: (bytes: Buffer) => void): Socket | undefined {
  const handle = handleOf(accepted);
  if (!handle || accepted.destroyed) return undefined;
  (accepted as unknown as { _handle: unknown })._handle = null;
  accepted.destroy();
  return new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (bytes: number) => {
        onRead(READ_BUFFER.subarray(0, bytes));
        return true;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
}
