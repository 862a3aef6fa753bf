// Puts String.prototype back into V8's fast property mode, where a dependency's `class ... extends String` (ioredis's
// VerbatimString) left it in dictionary mode. V8 normalizes an object when it first becomes the prototype of a new
// prototype, and makes it fast again only on a property-load miss whose receiver is an object; calls on string
// primitives never are, so the prototype would stay in dictionary mode for the process's life. While it does, every
// string method call in optimized code (`indexOf`, `slice`, `charCodeAt`...) is a generic property load instead of a
// known function: ~1.2 us per proxied request in the gateway's profile (docs/gateway-performance.md "Twelfth round").
//
// After this, V8 marks the prototype "should be fast", and a later `extends String` no longer normalizes it.

/** Enough calls for V8 to give the probe below its feedback vector (lazily allocated) and take the miss. */
const PROBE_CALLS = 1_000;

const probeLoad = (wrapper: object): string => typeof (wrapper as { charCodeAt?: unknown }).charCodeAt;

export function restoreFastStringPrototype(): void {
  // A String wrapper object: a receiver that is an object, with String.prototype on its chain.
  const wrapper = Object("");
  for (let i = 0; i < PROBE_CALLS; i++) probeLoad(wrapper);
}
