// A socket's libuv handle (net.Socket's undocumented `_handle`), for the reads and writes the gateway makes on it
// directly (shared-reads.ts, handle-writes.ts), or undefined when it is not there or lacks a method they call.
import type { Socket } from "node:net";

export function socketHandle<T>(socket: Socket, methods: readonly string[]): T | undefined {
  const handle = (socket as unknown as { _handle?: Record<string, unknown> | null })._handle;
  if (!handle) return undefined;
  for (let i = 0; i < methods.length; i++) if (typeof handle[methods[i]!] !== "function") return undefined;
  return handle as T;
}
