// Exit codes scripts can trust: 0 ok, 1 the operation failed, 2 the command line was wrong.
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** An error the CLI reports as one clear line (no stack trace) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The user asked for something the command line cannot express (bad flag value, missing argument). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = "UsageError";
  }
}
