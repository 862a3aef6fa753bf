// The controller's error taxonomy (STYLE.md §8): a reconcile either succeeds, asks to be retried (with backoff or
// after a given delay), or fails terminally because the spec itself is wrong and retrying cannot help.

/** Try again later: the world is not ready yet (a ConfigMap is missing, an instance is still starting). */
export class RetryError extends Error {
  override readonly name = "RetryError";
  constructor(
    message: string,
    /** wait this long before retrying; undefined = exponential backoff */
    readonly delayMs?: number,
  ) {
    super(message);
  }
}

/** The spec cannot work as written; surfaced as a condition with `reason`, not retried until the spec changes. */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
