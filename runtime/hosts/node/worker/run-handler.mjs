// Calls a handler on this thread with Lambda's completion rules: a returned promise settles the invocation; a
// callback settles it at once when context.callbackWaitsForEmptyEventLoop is false, otherwise once the work the
// invocation started (timers, sockets, file operations: its async resources that keep a process alive) is done,
// which is what "the event loop is empty" means for one invocation in a shared process. A handler that neither
// returns a promise nor calls back ends with null once its work is done. Async functions need none of this
// tracking, so they run without it.
import { createHook } from "node:async_hooks";
import { currentInvocation, outsideInvocations, runIn } from "./invocation-context.mjs";

// Promises do not keep a process alive; everything else an invocation creates may.
const UNTRACKED = new Set(["PROMISE", "TickObject", "Microtask"]);
const RECHECK_MS = 10;

/** Invocations waiting for their work to finish; the hook runs only while there are any. */
const waiting = new Set();
let recheck;

/** Schedules outside any invocation, so that the check itself is not work of the invocation. */
const soon = (fn) => outsideInvocations(() => setImmediate(fn));

const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (UNTRACKED.has(type)) return;
    const invocation = currentInvocation();
    if (invocation?.pending) invocation.pending.set(asyncId, resource);
  },
  destroy(asyncId) {
    for (const invocation of waiting) {
      if (invocation.pending.delete(asyncId) && invocation.whenIdle) soon(invocation.checkIdle);
    }
  },
});

function isIdle(invocation) {
  for (const [id, resource] of invocation.pending) {
    // An unref'd timer or socket does not keep a process alive; a timer that ran is done.
    if (typeof resource?.hasRef === "function" && !resource.hasRef()) continue;
    if (resource?.constructor?.name === "Timeout" && resource._destroyed) {
      invocation.pending.delete(id);
      continue;
    }
    return false;
  }
  return true;
}

function startWaiting(invocation) {
  invocation.pending = new Map();
  waiting.add(invocation);
  if (waiting.size === 1) {
    hook.enable();
    // Resources can be unref'd without a destroy event: look again now and then.
    recheck = outsideInvocations(() =>
      setInterval(() => {
        for (const w of waiting) if (w.whenIdle) w.checkIdle();
      }, RECHECK_MS),
    );
  }
}

function stopWaiting(invocation) {
  if (!waiting.delete(invocation)) return;
  invocation.pending = undefined;
  if (waiting.size === 0) {
    hook.disable();
    clearInterval(recheck);
  }
}

function isAsyncFunction(fn) {
  return fn.constructor?.name === "AsyncFunction";
}

/**
 * Runs `handler` as code of `invocation`; calls `done` once with {ok, value} or {ok: false, error}.
 * `invocation` gets `pending`, `whenIdle` and `checkIdle` while it waits for its work.
 */
export function runHandler(handler, event, context, invocation, done) {
  let settled = false;
  let pending;
  const tracks = !isAsyncFunction(handler);
  const finish = (outcome) => {
    if (settled) return;
    settled = true;
    if (tracks) stopWaiting(invocation);
    done(outcome);
  };
  const callback = (err, value) => {
    if (pending) return;
    pending = err !== undefined && err !== null ? { ok: false, error: err } : { ok: true, value };
    if (!context.callbackWaitsForEmptyEventLoop || !tracks) return finish(pending);
    invocation.whenIdle = () => pending;
    soon(invocation.checkIdle);
  };
  if (tracks) {
    startWaiting(invocation);
    invocation.checkIdle = () => {
      if (!settled && invocation.whenIdle && isIdle(invocation)) finish(invocation.whenIdle());
    };
  }
  // The pre-async-era completion methods some handlers still call.
  context.done = callback;
  context.succeed = (value) => callback(null, value);
  context.fail = (err) => callback(err ?? "handled");
  runIn(invocation, () => {
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then(
          (value) => finish({ ok: true, value }),
          (error) => finish({ ok: false, error }),
        );
      } else if (tracks && !pending) {
        invocation.whenIdle = () => pending ?? { ok: true, value: null };
        soon(invocation.checkIdle);
      }
    } catch (error) {
      finish({ ok: false, error });
    }
  });
}
