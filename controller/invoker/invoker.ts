// How the controller invokes functions (queue triggers, schedules) without importing the gateway (lint forbids it):
// through this interface, implemented over the gateway's Lambda Invoke API (http-invoker.ts).

export interface InvokeRequest {
  namespace: string;
  name: string;
  /** JSON text of the event */
  payload: string;
  /** RequestResponse waits for the result; Event returns once the gateway accepted (202) */
  type: "RequestResponse" | "Event";
}

export interface InvokeResult {
  /** HTTP status of the Invoke API: 200 sync, 202 accepted async */
  statusCode: number;
  /** the function's result (JSON text) or its error JSON when functionError is set */
  payload: string;
  /** "Unhandled" or "Handled" when the function failed (X-Amz-Function-Error) */
  functionError?: string;
}

export interface Invoker {
  /** Throws InvokeError when the platform (not the function) failed: throttled, not found, unreachable. */
  invoke(request: InvokeRequest, signal?: AbortSignal): Promise<InvokeResult>;
}

export class InvokeError extends Error {
  override readonly name = "InvokeError";
  constructor(
    message: string,
    /** AWS error code, e.g. TooManyRequestsException, ResourceNotFoundException; "NetworkError" when unreachable */
    readonly code: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}
