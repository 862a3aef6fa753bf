// The gateway's one error type (STYLE.md §8). Anything thrown on a request path that is not an HttpError
// becomes an opaque 500 carrying the request id; an HttpError is answered as it says.

export type ErrorBodyStyle =
  | "apigateway" // {"message": "..."} as API Gateway answers
  | "lambda" // {"Type": "User", "message": "..."} + x-amzn-ErrorType, as the Lambda API answers
  | "sqs"; // {"__type": "com.amazonaws.sqs#Code", "message": "..."} + x-amzn-query-error

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** AWS-style error code, e.g. TooManyRequestsException, THROTTLED, QueueDoesNotExist */
    readonly code: string,
    message: string,
    readonly options: {
      headers?: Record<string, string>;
      style?: ErrorBodyStyle;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;
