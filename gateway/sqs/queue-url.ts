// Queue URLs: http://<host the caller used>/<account id>/<queue name>. Echoing the caller's Host keeps SDKs
// working: they send each request to the QueueUrl's origin (useQueueUrlAsEndpoint).
import type { IncomingMessage } from "node:http";
import { QueueError } from "../../queue/index.js";

export type QueueUrlFor = (request: IncomingMessage, queueName: string) => string;

export function hostQueueUrl(accountId: string): QueueUrlFor {
  return (request, queueName) => {
    const host = request.headers.host ?? "localhost";
    const proto =
      (request.headers["x-forwarded-proto"] as string | undefined)?.split(",")[0]?.trim() || "http";
    return `${proto}://${host}/${accountId}/${queueName}`;
  };
}

/** The queue name of a QueueUrl (any host and account: one Kappa is one account). */
export function queueNameFromUrl(queueUrl: string): string {
  let path: string;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    path = queueUrl;
  }
  const name = path.split("/").filter(Boolean).pop() ?? "";
  if (!/^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name))
    throw new QueueError(
      "InvalidParameterValueException",
      `Value ${queueUrl} for parameter QueueUrl is invalid. Reason: expected http://<host>/<account id>/<queue name>.`,
    );
  return name;
}
