// Which invocation the running code belongs to, for log lines and for the work an invocation leaves behind.
// With one invocation at a time (perInstance 1, as in Lambda) that is simply the one running: output written
// later by an earlier invocation's timers goes to the current one, as on Lambda. With several at once an
// AsyncLocalStorage follows each invocation's callbacks and promises; it costs on every promise, so it is only
// switched on for such functions.
import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage();
let concurrent = false;
let sole;

/** Chooses the tracking for a function: `true` when invocations may overlap. */
export function trackConcurrently(value) {
  concurrent = value;
}

/** Calls `fn` as code of `invocation`. */
export function runIn(invocation, fn) {
  if (concurrent) return storage.run(invocation, fn);
  sole = invocation;
  return fn();
}

/** The invocation has ended: code running from now on is not its own (single mode). */
export function leave(invocation) {
  if (sole === invocation) sole = undefined;
}

/** The invocation whose code runs now, if any. */
export function currentInvocation() {
  return concurrent ? storage.getStore() : sole;
}

/** Calls `fn` outside every invocation (for the runtime's own timers). */
export function outsideInvocations(fn) {
  if (concurrent) return storage.exit(fn);
  return fn();
}
