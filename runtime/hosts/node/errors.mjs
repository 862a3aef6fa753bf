// Errors in Lambda's shape {errorType, errorMessage, stackTrace}.

export function toLambdaError(err, errorType) {
  if (err instanceof Error) {
    const stack =
      typeof err.stack === "string"
        ? err.stack
            .split("\n")
            .slice(1)
            .map((l) => l.trim())
        : [];
    return { errorType: errorType ?? err.name ?? "Error", errorMessage: err.message, stackTrace: stack };
  }
  if (err && typeof err === "object") {
    return {
      errorType: errorType ?? (typeof err.errorType === "string" ? err.errorType : "Error"),
      errorMessage: typeof err.errorMessage === "string" ? err.errorMessage : safeStringify(err),
      stackTrace: [],
    };
  }
  return { errorType: errorType ?? typeof err, errorMessage: String(err), stackTrace: [] };
}

function safeStringify(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export class InitError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    if (cause) this.stack = cause.stack;
  }
}
