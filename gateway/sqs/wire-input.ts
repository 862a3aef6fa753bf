// Readers for SQS JSON request members: each checks the member's type and names it in the error, so a bad
// request gets AWS's error code and a message that says which field to fix.
import { QueueError } from "../../queue/index.js";
import type { MessageAttributes } from "../../queue/index.js";

export type Json = Record<string, unknown>;

const typeError = (field: string, expected: string) =>
  new QueueError(
    "InvalidParameterValueException",
    `Value for parameter ${field} is invalid. Reason: must be ${expected}.`,
  );

export function requiredString(input: Json, field: string): string {
  const value = input[field];
  if (value === undefined || value === null || value === "")
    throw new QueueError(
      "MissingRequiredParameterException",
      `The request must contain the parameter ${field}.`,
    );
  if (typeof value !== "string") throw typeError(field, "a string");
  return value;
}

export function optionalString(input: Json, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw typeError(field, "a string");
  return value;
}

export function optionalInteger(input: Json, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(field, "an integer");
  return value;
}

export function optionalStringList(input: Json, field: string): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw typeError(field, "a list of strings");
  return value as string[];
}

export function optionalStringMap(input: Json, field: string): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== "object" ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== "string")
  )
    throw typeError(field, "a map of string to string");
  return value as Record<string, string>;
}

export function requiredList(input: Json, field: string): Json[] {
  const value = input[field];
  if (value === undefined || value === null)
    throw new QueueError(
      "MissingRequiredParameterException",
      `The request must contain the parameter ${field}.`,
    );
  if (!Array.isArray(value) || value.some((v) => typeof v !== "object" || v === null || Array.isArray(v)))
    throw typeError(field, "a list of structures");
  return value as Json[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** MessageAttributes / MessageSystemAttributes: {name: {DataType, StringValue | BinaryValue (base64)}}. */
export function messageAttributes(input: Json, field: string): MessageAttributes | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw typeError(field, "a map of name to attribute value");
  const out: MessageAttributes = {};
  for (const [name, raw] of Object.entries(value as Json)) {
    if (typeof raw !== "object" || raw === null) throw typeError(`${field}.${name}`, "a structure");
    const attribute = raw as Json;
    const dataType = optionalString(attribute, "DataType");
    if (!dataType)
      throw new QueueError(
        "InvalidParameterValueException",
        `The message attribute '${name}' must contain a non-empty DataType.`,
      );
    const stringValue = optionalString(attribute, "StringValue");
    const binary = attribute.BinaryValue;
    if (binary !== undefined && binary !== null) {
      if (typeof binary !== "string" || !BASE64.test(binary))
        throw typeError(`${field}.${name}.BinaryValue`, "base64");
      out[name] = { dataType, binaryValue: Buffer.from(binary, "base64") };
    } else {
      out[name] = stringValue === undefined ? { dataType } : { dataType, stringValue };
    }
  }
  return out;
}
