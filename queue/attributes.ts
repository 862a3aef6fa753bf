// Queue names, ARNs and attributes: validation and defaults, as SQS applies them. Pure functions.
import { QueueError, invalidParameter } from "./errors.js";
import type { QueueAttributeMap } from "./types.js";

export interface ArnContext {
  region: string;
  accountId: string;
}

export const queueArn = (context: ArnContext, name: string) =>
  `arn:aws:sqs:${context.region}:${context.accountId}:${name}`;

/** The queue name of an SQS ARN (region and account are not checked: one Kappa is one account). */
export function queueNameFromArn(arn: string, parameter: string): string {
  const match = /^arn:[\w-]+:sqs:[\w-]*:[\w-]*:([A-Za-z0-9_-]{1,75}(?:\.fifo)?)$/.exec(arn ?? "");
  if (!match)
    throw invalidParameter(
      `Value ${arn} for parameter ${parameter} is invalid. Reason: not an SQS queue ARN.`,
    );
  return match[1]!;
}

export function validateQueueName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0)
    throw new QueueError(
      "MissingRequiredParameterException",
      "The request must contain the parameter QueueName.",
    );
  if (name.length > 80 || !/^[A-Za-z0-9_-]+(\.fifo)?$/.test(name))
    throw invalidParameter(
      `Value ${name} for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, ` +
        `or underscores. 1 to 80 in length (FIFO queue names end in ".fifo").`,
    );
  return name;
}

export const isFifoName = (name: string) => name.endsWith(".fifo");

interface IntegerRange {
  min: number;
  max: number;
}

const INTEGER_ATTRIBUTES: Record<string, IntegerRange> = {
  DelaySeconds: { min: 0, max: 900 },
  MaximumMessageSize: { min: 1024, max: 1_048_576 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20 },
  VisibilityTimeout: { min: 0, max: 43_200 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400 },
};

const STANDARD_DEFAULTS: QueueAttributeMap = {
  DelaySeconds: "0",
  MaximumMessageSize: "1048576",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  VisibilityTimeout: "30",
  SqsManagedSseEnabled: "true",
};

const FIFO_DEFAULTS: QueueAttributeMap = {
  ...STANDARD_DEFAULTS,
  FifoQueue: "true",
  ContentBasedDeduplication: "false",
  DeduplicationScope: "messageQueue",
  FifoThroughputLimit: "perQueue",
};

const FIFO_ONLY = new Set([
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
]);
const OPAQUE = new Set(["Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "RedriveAllowPolicy"]);
export const READ_ONLY_ATTRIBUTES = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
];
export const SETTABLE_ATTRIBUTES = [
  ...Object.keys(INTEGER_ATTRIBUTES),
  ...FIFO_ONLY,
  ...OPAQUE,
  "RedrivePolicy",
];

const invalidValue = (name: string, reason: string) =>
  new QueueError("InvalidAttributeValue", `Invalid value for the parameter ${name}. Reason: ${reason}`);

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(value: string): RedrivePolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidValue("RedrivePolicy", "Redrive policy is not a valid JSON map.");
  }
  const policy = parsed as Partial<Record<string, unknown>>;
  if (typeof parsed !== "object" || parsed === null || typeof policy.deadLetterTargetArn !== "string")
    throw invalidValue(
      "RedrivePolicy",
      "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
    );
  const count = Number(policy.maxReceiveCount ?? 10);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw invalidValue(
      "RedrivePolicy",
      "Value for parameter maxReceiveCount must be an integer from 1 to 1000.",
    );
  return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count };
}

/**
 * Validates attributes for CreateQueue (creating = true) or SetQueueAttributes. Returns the attributes to store,
 * including the internal fields derived from RedrivePolicy (maxReceiveCount, deadLetterQueue; "\0" clears them).
 */
export function normalizeAttributes(
  queueName: string,
  attributes: QueueAttributeMap,
  creating: boolean,
): QueueAttributeMap {
  const fifo = isFifoName(queueName);
  const out: QueueAttributeMap = creating ? { ...(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS) } : {};
  for (const [name, raw] of Object.entries(attributes ?? {})) {
    if (typeof raw !== "string") throw invalidValue(name, "attribute values must be strings.");
    const value = raw;
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range.min || n > range.max)
        throw invalidValue(name, `must be an integer from ${range.min} to ${range.max}.`);
      out[name] = String(n);
    } else if (FIFO_ONLY.has(name)) {
      if (!fifo && name === "FifoQueue" && value === "true")
        throw invalidValue("FifoQueue", 'the name of a FIFO queue must end with ".fifo".');
      if (!fifo && !(name === "FifoQueue" && value === "false"))
        throw new QueueError("InvalidAttributeName", `Unknown Attribute ${name}.`);
      if (name === "FifoQueue") {
        if (!creating) throw invalidValue(name, "FifoQueue cannot be changed after the queue is created.");
        if (value !== "true" && value !== "false") throw invalidValue(name, 'must be "true" or "false".');
        if (value === "false") continue;
      }
      if (name === "ContentBasedDeduplication" && value !== "true" && value !== "false")
        throw invalidValue(name, 'must be "true" or "false".');
      if (name === "DeduplicationScope" && value !== "messageQueue" && value !== "messageGroup")
        throw invalidValue(name, 'must be "messageQueue" or "messageGroup".');
      if (name === "FifoThroughputLimit" && value !== "perQueue" && value !== "perMessageGroupId")
        throw invalidValue(name, 'must be "perQueue" or "perMessageGroupId".');
      out[name] = value;
    } else if (name === "RedrivePolicy") {
      if (value === "") {
        out.RedrivePolicy = "\0";
        out.maxReceiveCount = "\0";
        out.deadLetterQueue = "\0";
        continue;
      }
      const policy = parseRedrivePolicy(value);
      const target = queueNameFromArn(policy.deadLetterTargetArn, "RedrivePolicy.deadLetterTargetArn");
      if (isFifoName(target) !== fifo)
        throw invalidValue(
          name,
          "Dead-letter target must be the same type of queue as the source (FIFO or standard).",
        );
      if (target === queueName) throw invalidValue(name, "Dead-letter target cannot be the queue itself.");
      out.RedrivePolicy = JSON.stringify(policy);
      out.maxReceiveCount = String(policy.maxReceiveCount);
      out.deadLetterQueue = target;
    } else if (OPAQUE.has(name)) {
      out[name] = value;
    } else {
      throw new QueueError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  if (creating && !fifo && attributes?.FifoQueue === "true")
    throw invalidValue("FifoQueue", 'the name of a FIFO queue must end with ".fifo".');
  if (creating && out.RedrivePolicy === "\0") {
    delete out.RedrivePolicy;
    delete out.maxReceiveCount;
    delete out.deadLetterQueue;
  }
  return out;
}

/** Internal meta fields that are never returned as attributes. */
const INTERNAL_FIELDS = new Set(["seq", "moveseq", "purgedAt", "maxReceiveCount", "deadLetterQueue"]);

export const isPublicAttribute = (field: string) => !INTERNAL_FIELDS.has(field);
