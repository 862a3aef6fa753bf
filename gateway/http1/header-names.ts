// Header names as clients send them, checked and lower-cased once. Clients send the same dozen or so names on
// every request, so the request parser asks here instead of running the token check and toLowerCase() per line,
// and the event builders get the same lower-case string back for the same name every time (as a property key
// that saves V8 a string-table lookup per store).
import { TOKEN } from "./http-syntax.js";

/** The bound is for a client that sends new names on every request: the cache then starts over. */
const NAMES_KEPT = 512;
const lowerCaseTokens = new Map<string, string>();

/** The lower-case form of a header name, or undefined when the name is not a token (RFC 9110 §5.6.2). */
export function lowerCaseToken(name: string): string | undefined {
  let lower = lowerCaseTokens.get(name);
  if (lower === undefined) {
    if (!TOKEN.test(name)) return undefined;
    if (lowerCaseTokens.size >= NAMES_KEPT) lowerCaseTokens.clear();
    lower = name.toLowerCase();
    lowerCaseTokens.set(name, lower);
  }
  return lower;
}
