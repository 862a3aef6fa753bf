// Receipt handles: opaque to clients, new on every receive. They carry the message id and the receipt token
// that receive-19.lua stored; a handle whose token is no longer current is stale.
import { QueueError } from "./errors.js";

const MAX_HANDLE_LENGTH = 1024;

export interface Receipt {
  messageId: string;
  token: string;
}

export function encodeReceipt(receipt: Receipt): string {
  return Buffer.from(`${receipt.messageId}|${receipt.token}`, "utf8").toString("base64url");
}

export function decodeReceipt(handle: string): Receipt {
  const invalid = () =>
    new QueueError(
      "ReceiptHandleIsInvalid",
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  if (typeof handle !== "string" || handle.length === 0 || handle.length > MAX_HANDLE_LENGTH) throw invalid();
  if (!/^[A-Za-z0-9_-]+$/.test(handle)) throw invalid();
  const decoded = Buffer.from(handle, "base64url").toString("utf8");
  const match = /^([0-9a-f-]{36})\|([A-Za-z0-9]+:\d+:\d+)$/.exec(decoded);
  if (!match) throw invalid();
  return { messageId: match[1]!, token: match[2]! };
}
