// process.env._X_AMZN_TRACE_ID changes on every invocation, as Lambda sets it. Assigning it for real calls
// setenv(3), and glibc keeps every value ever set (about 140 MB per million invocations in a long-lived process)
// besides costing microseconds per invoke. So JavaScript sees the current value through a proxy in front of the
// real environment instead; everything else passes through, and child processes inherit the current value (spawn
// reads process.env). Native code calling getenv() sees the value from before the first invocation.

const TRACE = "_X_AMZN_TRACE_ID";

/**
 * Installs the proxy; returns the function that starts a new invocation's trace id, made by `make()` when first
 * read (most invocations never read it).
 */
export function installTraceEnv(make) {
  const real = process.env;
  let current;
  let fresh = false;
  const forget = () => {
    current = undefined;
    fresh = false;
  };
  const value = () => {
    if (fresh) {
      fresh = false;
      current = make();
    }
    return current;
  };
  if (real[TRACE] === undefined) real[TRACE] = "";
  const env = new Proxy(real, {
    get(target, key) {
      return key === TRACE && (fresh || current !== undefined) ? value() : Reflect.get(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (descriptor && key === TRACE && (fresh || current !== undefined)) descriptor.value = value();
      return descriptor;
    },
    set(target, key, assigned) {
      // The function sets it itself: its value holds until the next invocation.
      if (key === TRACE) forget();
      return Reflect.set(target, key, assigned);
    },
    deleteProperty(target, key) {
      if (key === TRACE) forget();
      return Reflect.deleteProperty(target, key);
    },
  });
  Object.defineProperty(process, "env", { value: env, writable: true, configurable: true, enumerable: true });
  return () => {
    fresh = true;
  };
}
