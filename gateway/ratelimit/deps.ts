// The collaborators every security stage takes (STYLE.md §9): a clock, a logger and a metrics registry.
import { register as defaultRegistry, type Registry } from "prom-client";

/** Milliseconds since the epoch. Tests pass a clock they move by hand. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The part of a pino logger the stages use. */
export interface StageLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

export { defaultRegistry, type Registry };

/** Throws a clear error when a required collaborator is missing from a factory's options. */
export function requireOption<T>(stage: string, name: string, value: T | undefined, what: string): T {
  if (value === undefined || value === null) {
    throw new TypeError(`${stage}: option "${name}" is required (${what})`);
  }
  return value;
}

export function checkClock(stage: string, clock: Clock | undefined): Clock {
  if (clock === undefined) return systemClock;
  if (typeof clock.now !== "function")
    throw new TypeError(`${stage}: option "clock" must have a now() method returning epoch milliseconds`);
  return clock;
}
