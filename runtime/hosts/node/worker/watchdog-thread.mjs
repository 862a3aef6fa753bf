// The watchdog thread (see watchdog.mjs). It wakes every POLL_MS, reads the deadlines, and only acts when the
// main thread has missed one by GRACE_MS: an async handler's timeout is the main thread's job.
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { errorReplyBytes, writeAllSync } from "./replies.mjs";
import { exitError, timeoutError } from "./lambda-errors.mjs";
import { FIELDS, ID_BYTES } from "./watchdog.mjs";

const POLL_MS = 100;
const GRACE_MS = 250;
const { words, ids, base, reasonFd } = workerData;
const slots = words.length / FIELDS;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function requestIdOf(slot) {
  const length = words[slot * FIELDS + 2];
  return Buffer.from(ids.buffer, slot * ID_BYTES, length).toString("utf8");
}

function overdueSlot(now) {
  for (let slot = 0; slot < slots; slot++) {
    const deadline = Atomics.load(words, slot * FIELDS);
    if (deadline !== 0 && now > deadline + GRACE_MS) return slot;
  }
  return -1;
}

for (;;) {
  Atomics.wait(sleeper, 0, 0, POLL_MS);
  const overdue = overdueSlot(Date.now() - base);
  if (overdue === -1) continue;
  for (let slot = 0; slot < slots; slot++) {
    const deadline = Atomics.load(words, slot * FIELDS);
    const fd = words[slot * FIELDS + 1];
    if (deadline === 0 || fd < 0) continue;
    const requestId = requestIdOf(slot);
    const timeoutSeconds = words[slot * FIELDS + 3];
    const error =
      slot === overdue ? timeoutError(requestId, timeoutSeconds) : exitError(requestId, null, "SIGKILL");
    writeAllSync(fd, errorReplyBytes(error, Date.now() - base - deadline + timeoutSeconds * 1000));
  }
  try {
    writeSync(reasonFd, "timeout\n");
  } catch {
    // no supervisor listening: the exit alone will do
  }
  process.kill(process.pid, "SIGKILL");
}
