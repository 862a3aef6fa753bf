// A number as text, the last one remembered. Epoch milliseconds are beyond V8's small integers, so String(n)
// takes the runtime's slow conversion whenever V8's number-string cache misses, which for a new timestamp it
// does; at thousands of requests a second most requests share their millisecond with the one before.

/**
 * A converter with its own one-entry memory: give each call site its own. With `before` and `after`, the text
 * remembered is the number between them, one string where a caller would otherwise join three per call.
 */
export function lastNumberText(before = "", after = ""): (value: number) => string {
  let last = Number.NaN;
  let text = `${before}NaN${after}`;
  return (value) => {
    if (value !== last) {
      last = value;
      text = `${before}${value}${after}`;
    }
    return text;
  };
}
