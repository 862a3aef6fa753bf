// process.env._X_AMZN_TRACE_ID changes on every invocation, as Lambda sets it. Assigning it for real calls
// setenv(3), and glibc keeps every value ever set (about 140 MB per million invocations in a long-lived process)
// besides costing microseconds per invoke. So JavaScript sees the current value through a proxy in front of the
// real environment instead; everything else passes through, and child processes inherit the current value (spawn
// reads process.env). Native code calling getenv() sees the value from before the first invocation.

const TRACE = "_X_AMZN_TRACE_ID";

/** Installs the proxy; returns the function that sets the current invocation's trace id. */
export function installTraceEnv() {
  const real = process.env;
  let current;
  if (real[TRACE] === undefined) real[TRACE] = "";
  const env = new Proxy(real, {
    get(target, key) {
      return key === TRACE && current !== undefined ? current : Reflect.get(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (descriptor && key === TRACE && current !== undefined) descriptor.value = current;
      return descriptor;
    },
    set(target, key, value) {
      // The function sets it itself: its value holds until the next invocation.
      if (key === TRACE) current = undefined;
      return Reflect.set(target, key, value);
    },
    deleteProperty(target, key) {
      if (key === TRACE) current = undefined;
      return Reflect.deleteProperty(target, key);
    },
  });
  Object.defineProperty(process, "env", { value: env, writable: true, configurable: true, enumerable: true });
  return (traceId) => {
    current = traceId;
  };
}
