// A number as text, the last one remembered. Epoch milliseconds are beyond V8's small integers, so String(n)
// takes the runtime's slow conversion whenever V8's number-string cache misses, which for a new timestamp it
// does; at thousands of requests a second most requests share their millisecond with the one before.

/** A converter with its own one-entry memory: give each call site its own. */
export function lastNumberText(): (value: number) => string {
  let last = Number.NaN;
  let text = "NaN";
  return (value) => {
    if (value !== last) {
      last = value;
      text = String(value);
    }
    return text;
  };
}
