// The auth stages' answers, with API Gateway's status codes, error codes and bodies ({"message": ...}).
import { HttpError } from "../http/http-error.js";
import { retryAfterSeconds } from "../ratelimit/index.js";

/** Missing, unknown or disabled API key; IAM policy Deny; JWT without a required scope. */
export const forbidden = (code = "INVALID_API_KEY", headers?: Record<string, string>): HttpError =>
  new HttpError(403, code, "Forbidden", headers ? { headers } : {});

/** No credentials, or credentials an authorizer refused: 401 {"message":"Unauthorized"}. */
export const unauthorized = (headers?: Record<string, string>): HttpError =>
  new HttpError(401, "UNAUTHORIZED", "Unauthorized", headers ? { headers } : {});

/** Usage-plan throttle: 429 {"message":"Too Many Requests"}. */
export const throttled = (retryAfterMs: number): HttpError =>
  new HttpError(429, "THROTTLED", "Too Many Requests", {
    headers: { "retry-after": retryAfterSeconds(retryAfterMs) },
  });

/** Usage-plan quota used up: 429 {"message":"Limit Exceeded"}, Retry-After = seconds to the next period. */
export const quotaExceeded = (retryAfterMs: number): HttpError =>
  new HttpError(429, "QUOTA_EXCEEDED", "Limit Exceeded", {
    headers: { "retry-after": retryAfterSeconds(retryAfterMs) },
  });

/** A function authorizer that failed, timed out or answered nonsense: the request is denied with a 500. */
export const authorizerFailure = (): HttpError =>
  new HttpError(500, "AUTHORIZER_CONFIGURATION_ERROR", "Internal Server Error");
