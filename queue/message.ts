// Message validation (as SQS checks SendMessage) and the blob stored per message: JSON of what Lua never reads.
import { createHash } from "node:crypto";
import { QueueError, invalidParameter } from "./errors.js";
import type { MessageAttributes, MessageAttributeValue, SendMessageEntry } from "./types.js";

const MAX_ATTRIBUTES = 10;
const MAX_DELAY_SECONDS = 900;
const MAX_GROUP_OR_DEDUP_ID = 128;
/** The hard ceiling of MaximumMessageSize; the queue's own limit is checked in send-19.lua. */
export const MAX_MESSAGE_BYTES = 1_048_576;

// XML 1.0 characters: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
// eslint-disable-next-line no-control-regex -- the allowed set is defined by control characters
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface StoredAttribute {
  t: string;
  s?: string;
  b?: string;
}

/** The message blob (JSON in the msgs hash). Short field names: it is stored once per message. */
export interface MessageBlob {
  b: string;
  a?: Record<string, StoredAttribute>;
  h?: string; // AWSTraceHeader
  s?: string; // SenderId
  d?: string; // MessageDeduplicationId (FIFO)
  q?: string; // DeadLetterQueueSourceArn's queue name, set on redrive
}

export interface PreparedMessage {
  blob: string;
  size: number;
  delaySeconds: number;
  groupId: string;
  deduplicationId: string;
  contentSha256: string;
}

function validateAttributeName(name: string, parameter: string): void {
  if (
    name.length === 0 ||
    name.length > 256 ||
    !/^[A-Za-z0-9_.-]+$/.test(name) ||
    name.startsWith(".") ||
    name.endsWith(".") ||
    name.includes("..") ||
    /^(aws\.|amazon\.)/i.test(name)
  )
    throw invalidParameter(
      `${parameter} name "${name}" is invalid: use 1 to 256 of A-Z a-z 0-9 _ - . (no leading, trailing or double ` +
        `period, no "AWS." or "Amazon." prefix).`,
    );
}

function validateAttributeValue(name: string, value: MessageAttributeValue, parameter: string): number {
  const type = value?.dataType;
  if (typeof type !== "string" || !/^(String|Number|Binary)(\.[A-Za-z0-9_.-]{1,256})?$/.test(type))
    throw invalidParameter(
      `${parameter} "${name}" has an invalid DataType "${type ?? ""}": use String, Number or Binary, optionally ` +
        `followed by ".<custom type>".`,
    );
  const binary = type.startsWith("Binary");
  if (binary ? value.binaryValue === undefined : value.stringValue === undefined)
    throw invalidParameter(
      `${parameter} "${name}" must contain a non-empty ${binary ? "BinaryValue" : "StringValue"} for DataType ${type}.`,
    );
  if (binary) return value.binaryValue!.length + type.length + name.length;
  const stringValue = value.stringValue!;
  if (stringValue.length === 0)
    throw invalidParameter(`${parameter} "${name}" must contain a non-empty StringValue.`);
  if (type.startsWith("Number") && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(stringValue))
    throw invalidParameter(
      `${parameter} "${name}" has DataType Number but "${stringValue}" is not a number.`,
    );
  if (INVALID_BODY_CHAR.test(stringValue))
    throw new QueueError(
      "InvalidMessageContents",
      `${parameter} "${name}" contains characters outside the allowed set.`,
    );
  return Buffer.byteLength(stringValue, "utf8") + type.length + name.length;
}

function storeAttributes(
  attributes: MessageAttributes | undefined,
  parameter: string,
): { stored?: Record<string, StoredAttribute>; size: number } {
  if (attributes === undefined || attributes === null) return { size: 0 };
  if (typeof attributes !== "object") throw invalidParameter(`${parameter} must be a map of name to value.`);
  const names = Object.keys(attributes);
  if (names.length === 0) return { size: 0 };
  if (names.length > MAX_ATTRIBUTES)
    throw invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [10].`,
    );
  let size = 0;
  const stored: Record<string, StoredAttribute> = {};
  for (const name of names) {
    validateAttributeName(name, parameter);
    const value = attributes[name]!;
    size += validateAttributeValue(name, value, parameter);
    stored[name] =
      value.binaryValue !== undefined
        ? { t: value.dataType, b: value.binaryValue.toString("base64") }
        : { t: value.dataType, s: value.stringValue! };
  }
  return { stored, size };
}

/** Validates one SendMessage entry and builds what send-19.lua takes. */
export function prepareMessage(entry: SendMessageEntry, fifo: boolean, senderId?: string): PreparedMessage {
  const body = entry.body;
  if (typeof body !== "string" || body.length === 0)
    throw invalidParameter("The request must contain the parameter MessageBody.");
  if (INVALID_BODY_CHAR.test(body))
    throw new QueueError(
      "InvalidMessageContents",
      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    );
  let delaySeconds = -1;
  if (entry.delaySeconds !== undefined && entry.delaySeconds !== null) {
    if (
      !Number.isInteger(entry.delaySeconds) ||
      entry.delaySeconds < 0 ||
      entry.delaySeconds > MAX_DELAY_SECONDS
    )
      throw invalidParameter(
        `Value ${entry.delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
      );
    if (fifo && entry.delaySeconds > 0)
      throw invalidParameter(
        `Value ${entry.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter ` +
          `that is not valid for this queue type (set DelaySeconds on the FIFO queue instead).`,
      );
    delaySeconds = entry.delaySeconds;
  }
  const groupId = entry.messageGroupId ?? "";
  const deduplicationId = entry.messageDeduplicationId ?? "";
  if (fifo) {
    if (!groupId) throw missing("MessageGroupId", "The request must contain the parameter MessageGroupId.");
    for (const [name, value] of [
      ["MessageGroupId", groupId],
      ["MessageDeduplicationId", deduplicationId],
    ] as const) {
      if (value.length > MAX_GROUP_OR_DEDUP_ID || !/^[\x21-\x7E]*$/.test(value))
        throw invalidParameter(
          `Value ${value} for parameter ${name} is invalid. Reason: use 1 to 128 printable ASCII characters.`,
        );
    }
  } else if (deduplicationId) {
    throw invalidParameter(
      "The request include parameter MessageDeduplicationId that is not valid for this queue type (FIFO queues only).",
    );
  }
  const attributes = storeAttributes(entry.messageAttributes, "MessageAttribute");
  const blob: MessageBlob = { b: body };
  if (attributes.stored) blob.a = attributes.stored;
  const system = entry.messageSystemAttributes;
  if (system && Object.keys(system).length > 0) {
    for (const name of Object.keys(system)) {
      if (name !== "AWSTraceHeader")
        throw invalidParameter(
          `Message system attribute name "${name}" is invalid: only AWSTraceHeader is supported.`,
        );
    }
    const trace = system.AWSTraceHeader!;
    if (trace.dataType !== "String" || !trace.stringValue)
      throw invalidParameter(
        "Message system attribute AWSTraceHeader must have DataType String and a StringValue.",
      );
    blob.h = trace.stringValue;
  }
  if (senderId) blob.s = senderId;
  if (fifo && deduplicationId) blob.d = deduplicationId;
  const size = Buffer.byteLength(body, "utf8") + attributes.size;
  if (size > MAX_MESSAGE_BYTES)
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    );
  return {
    blob: JSON.stringify(blob),
    size,
    delaySeconds,
    groupId,
    deduplicationId,
    contentSha256: fifo ? createHash("sha256").update(body, "utf8").digest("hex") : "",
  };
}

const missing = (_name: string, message: string) =>
  new QueueError("MissingRequiredParameterException", message);

export function parseBlob(blob: string): MessageBlob {
  return JSON.parse(blob) as MessageBlob;
}

export function blobAttributes(blob: MessageBlob): MessageAttributes {
  const out: MessageAttributes = {};
  for (const [name, a] of Object.entries(blob.a ?? {})) {
    out[name] =
      a.b !== undefined
        ? { dataType: a.t, binaryValue: Buffer.from(a.b, "base64") }
        : { dataType: a.t, stringValue: a.s ?? "" };
  }
  return out;
}
