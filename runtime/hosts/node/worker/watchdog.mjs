// Deadlines that the handler's own thread cannot enforce: a synchronous busy loop never yields to the timer that
// ends an invocation. A worker thread watches the deadlines of the running invocations in shared memory (set
// and cleared with plain Atomics stores, no message per invocation); when one is overdue it answers the
// invocation itself on the connection's descriptor and kills the process, which the supervisor replaces.
import { Worker } from "node:worker_threads";

export const ID_BYTES = 128;
/** Per slot: deadline (ms after `base`, 0 = idle), connection fd, request id length, timeoutSeconds. */
export const FIELDS = 4;
/** perInstance's upper bound (runtime/specialize-request.ts). */
export const MAX_SLOTS = 1000;

export class Watchdog {
  /** Started with the worker, before any function is known: a thread takes milliseconds to boot. */
  constructor(reasonFd, slots = MAX_SLOTS) {
    this.base = Date.now();
    this.words = new Int32Array(new SharedArrayBuffer(4 * FIELDS * slots));
    this.ids = new Uint8Array(new SharedArrayBuffer(ID_BYTES * slots));
    this.idWriter = Buffer.from(this.ids.buffer);
    this.thread = new Worker(new URL("./watchdog-thread.mjs", import.meta.url), {
      workerData: { words: this.words, ids: this.ids, base: this.base, reasonFd },
      stdout: false,
      stderr: false,
      env: {},
    });
    this.thread.unref();
    /** resolves once the thread runs: until then it would compete with a specialization for the CPU */
    this.online = new Promise((resolve) => this.thread.once("online", resolve));
  }

  arm(slot, deadlineMs, fd, requestId, timeoutSeconds) {
    const at = slot * FIELDS;
    const length = this.idWriter.write(requestId, slot * ID_BYTES, ID_BYTES, "utf8");
    this.words[at + 1] = fd;
    this.words[at + 2] = length;
    this.words[at + 3] = timeoutSeconds;
    Atomics.store(this.words, at, Math.max(1, deadlineMs - this.base));
  }

  disarm(slot) {
    Atomics.store(this.words, slot * FIELDS, 0);
  }
}
