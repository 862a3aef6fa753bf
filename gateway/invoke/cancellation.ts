// A one-shot cancellation for one invocation: what AbortController does for the invoke path, without an
// EventTarget, an AbortSignal and listener registration per request (measurable on the hot path). It holds at
// most one listener, which is all the invoke path needs: only the call to an agent listens (the activator bounds
// the wait for a slot itself).
export class Cancellation {
  reason: Error | undefined;
  private listener: ((reason: Error) => void) | undefined;

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
  }

  /** Sets the one listener (replacing any); it is called at most once. */
  onAbort(listener: (reason: Error) => void): void {
    this.listener = listener;
  }

  clearListener(): void {
    this.listener = undefined;
  }
}
