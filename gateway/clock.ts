// Time is passed in (STYLE.md §9) so tests can control it where logic depends on it.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
