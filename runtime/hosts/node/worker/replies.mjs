// The /invoke answer in the agent contract (api/agent.ts), and the same answer written synchronously straight
// onto a connection's file descriptor: the way out when the process is about to die (process.exit, an uncaught
// exception, the watchdog) and the event loop will not run again to send it.
import { writeSync } from "node:fs";

export const FUNCTION_ERROR_HEADER = "x-kappa-function-error";
export const LOG_RESULT_HEADER = "x-kappa-log-result";
export const DURATION_HEADER = "x-kappa-duration-ms";

/** Status 200 with a function error: the contract's shape for every error of the function itself. */
export function errorReplyBytes(error, durationMs, logResult) {
  const body = Buffer.from(JSON.stringify(error), "utf8");
  let head =
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${FUNCTION_ERROR_HEADER}: Unhandled\r\n` +
    `${DURATION_HEADER}: ${durationMs.toFixed(2)}\r\nconnection: close\r\ncontent-length: ${body.length}\r\n`;
  if (logResult !== undefined) head += `${LOG_RESULT_HEADER}: ${logResult}\r\n`;
  return Buffer.concat([Buffer.from(head + "\r\n", "latin1"), body]);
}

/** Any JSON answer, for the same last-words path (a /specialize whose init ended the process). */
export function jsonReplyBytes(body) {
  const text = Buffer.from(JSON.stringify(body), "utf8");
  const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${text.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), text]);
}

/** Writes all of `bytes` to a non-blocking socket descriptor, waiting out a full send buffer for a moment. */
export function writeAllSync(fd, bytes) {
  let offset = 0;
  let retries = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      if (err.code !== "EAGAIN" || ++retries > 1000) return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  return true;
}

const FD = Symbol("kappa.fd");

/** The file descriptor under a node:net socket, when it has one (looked up once per connection). */
export function socketFd(socket) {
  if (!socket) return -1;
  let fd = socket[FD];
  if (fd === undefined) {
    fd = socket._handle?.fd;
    fd = typeof fd === "number" && fd >= 0 ? fd : -1;
    socket[FD] = fd;
  }
  return fd;
}
