// Counts this gateway's in-flight invocations per function and turns them into the once-a-second
// InflightReport the controller's autoscaler reads (api/instances.ts): the time-weighted average over the
// interval, the peak, the requests started and the requests the activator holds.
import type { InflightReport } from "../../api/instances.js";
import type { Clock } from "../clock.js";

interface Window {
  current: number;
  max: number;
  requests: number;
  /** sum of current x milliseconds since the window began */
  area: number;
  lastChange: number;
  windowStart: number;
}

export class InflightTracker {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  /** `now`: the clock as the caller just read it. */
  start(key: string, now = this.clock.now()): void {
    const window = this.windowOf(key, now);
    this.advance(window, now);
    window.current++;
    window.requests++;
    if (window.current > window.max) window.max = window.current;
  }

  end(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    this.advance(window, this.clock.now());
    window.current = Math.max(0, window.current - 1);
  }

  current(key: string): number {
    return this.windows.get(key)?.current ?? 0;
  }

  /**
   * Closes the interval for every function with activity and returns its report; a function idle for a whole
   * interval gets one last all-zero report and is then forgotten (bounded memory).
   */
  collect(waiting: (key: string) => number): Map<string, InflightReport> {
    const now = this.clock.now();
    const reports = new Map<string, InflightReport>();
    for (const [key, window] of this.windows) {
      this.advance(window, now);
      const elapsed = Math.max(1, now - window.windowStart);
      const held = waiting(key);
      reports.set(key, {
        average: window.area / elapsed,
        max: window.max,
        requests: window.requests,
        waiting: held,
        at: now,
      });
      if (window.current === 0 && window.requests === 0 && held === 0) {
        this.windows.delete(key);
        continue;
      }
      window.area = 0;
      window.requests = 0;
      window.max = window.current;
      window.windowStart = now;
    }
    return reports;
  }

  /** Functions with held requests but nothing started yet still need a window, so they get reported. */
  touch(key: string): void {
    this.windowOf(key, this.clock.now());
  }

  private windowOf(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (!window) {
      window = { current: 0, max: 0, requests: 0, area: 0, lastChange: now, windowStart: now };
      this.windows.set(key, window);
    }
    return window;
  }

  private advance(window: Window, now: number): void {
    window.area += window.current * (now - window.lastChange);
    window.lastChange = now;
  }
}
