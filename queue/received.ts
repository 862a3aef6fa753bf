// What a receive returns, built from the flat list receive-19.lua (and a send's hand-off) replies with: 8 values
// per message (id, blob, receive count, first receive ms, receipt token, sent ms, sequence, group).
import { createHash } from "node:crypto";
import { isFifoName, queueArn, type ArnContext } from "./attributes.js";
import { blobAttributes, parseBlob } from "./message.js";
import { encodeReceipt } from "./receipt.js";
import type { ReceivedMessage } from "./types.js";

/** FIFO sequence numbers are 20 digits on the wire. */
export const sequenceNumber = (seq: string) => seq.padStart(20, "0");

export function toReceivedMessages(
  arn: ArnContext,
  queueName: string,
  flat: (string | number)[],
): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  const fifo = isFifoName(queueName);
  for (let i = 0; i + 7 < flat.length; i += 8) {
    const id = String(flat[i]);
    const blob = parseBlob(String(flat[i + 1]));
    const attributes: Record<string, string> = {
      SenderId: blob.s ?? arn.accountId,
      SentTimestamp: String(flat[i + 5]),
      ApproximateReceiveCount: String(flat[i + 2]),
      ApproximateFirstReceiveTimestamp: String(flat[i + 3]),
    };
    if (fifo) {
      attributes.MessageGroupId = String(flat[i + 7]);
      attributes.MessageDeduplicationId = blob.d ?? createHash("sha256").update(blob.b, "utf8").digest("hex");
      attributes.SequenceNumber = sequenceNumber(String(flat[i + 6]));
    }
    if (blob.h) attributes.AWSTraceHeader = blob.h;
    if (blob.q) attributes.DeadLetterQueueSourceArn = queueArn(arn, blob.q);
    messages.push({
      messageId: id,
      receiptHandle: encodeReceipt({ messageId: id, token: String(flat[i + 4]) }),
      body: blob.b,
      attributes,
      messageAttributes: blobAttributes(blob),
    });
  }
  return messages;
}
