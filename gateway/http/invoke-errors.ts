// How failures of the invoke path read on the HTTP port, as API Gateway words them.
import { NoInstanceAvailable } from "../activator/activator.js";
import { ResponseTooLarge } from "../invoke/agent-call.js";
import { InstancesFailing, InvokeTimeout } from "../invoke/invoker.js";
import { HttpError } from "./http-error.js";

export const internalServerError = () => new HttpError(502, "InternalServerError", "Internal server error");

export function httpInvokeError(error: unknown): unknown {
  if (error instanceof InvokeTimeout)
    return new HttpError(504, "IntegrationTimeout", "Endpoint request timed out");
  if (error instanceof NoInstanceAvailable) {
    return new HttpError(503, "ServiceUnavailable", "Service Unavailable", {
      headers: { "retry-after": "1" },
    });
  }
  if (error instanceof InstancesFailing || error instanceof ResponseTooLarge) return internalServerError();
  return error;
}
