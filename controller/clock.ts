// Time is passed in (STYLE.md §9): every decision takes `now` from a Clock, every wait goes through it,
// so tests can run a schedule's minute in a second without environment-variable seams.
export interface Clock {
  now(): number;
  /** Calls `callback` after `ms` of this clock's time; returns a cancel function. */
  setTimer(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** A clock that runs `factor` times faster than the wall clock (tests: rate(1 minute) fires every second at 60x). */
export function acceleratedClock(factor: number, start = Date.now()): Clock {
  if (!(factor > 0)) throw new Error(`acceleratedClock: factor must be > 0, got ${factor}`);
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) * factor,
    setTimer(ms, callback) {
      const timer = setTimeout(callback, Math.max(0, ms / factor));
      timer.unref?.();
      return () => clearTimeout(timer);
    },
  };
}

export const sleep = (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    const onAbort = () => {
      cancel();
      resolve();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
