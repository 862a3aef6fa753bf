// SQS JSON-protocol error responses: the status, x-amzn-query-error "<legacy code>;Sender", and a body
// {"__type": "<namespace>#<code>", "message"} from which SDKs take error.name (the part after '#').
import type { ServerResponse } from "node:http";
import { QueueError } from "../../queue/index.js";

export interface WireError {
  status: number;
  code: string;
  queryCode: string;
  namespace: string;
  message: string;
  senderFault: boolean;
}

export function fromQueueError(error: QueueError): WireError {
  return {
    status: error.status,
    code: error.code,
    queryCode: error.queryCode,
    namespace: error.namespace,
    message: error.message,
    senderFault: error.senderFault,
  };
}

export const internalError = (requestId: string): WireError => ({
  status: 500,
  code: "InternalFailure",
  queryCode: "InternalFailure",
  namespace: "com.amazon.coral.service",
  message: `We encountered an internal error. Please try again. (request id ${requestId})`,
  senderFault: false,
});

export function writeSqsError(res: ServerResponse, error: WireError, requestId: string): void {
  const body = JSON.stringify({ __type: `${error.namespace}#${error.code}`, message: error.message });
  res.writeHead(error.status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
    "x-amzn-query-error": `${error.queryCode};${error.senderFault ? "Sender" : "Receiver"}`,
  });
  res.end(body);
}
