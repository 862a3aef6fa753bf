// Maps what a function returned to the HTTP response, as API Gateway does (AWS-COMPAT.md §3):
//   - a function error, unparsable output, or a shape that is not a valid proxy response -> 502
//     {"message":"Internal server error"};
//   - format 2.0 only: valid JSON without statusCode -> 200 application/json with the output as the body;
//   - isBase64Encoded: true -> the body is decoded to bytes;
//   - 1.0: headers and multiValueHeaders merged, multiValueHeaders winning for a name both set;
//   - 2.0: cookies[] -> one Set-Cookie header each.
// Header names and values are validated here so a function can never inject a header or split a response.

import { lowerCaseToken } from "../http1/header-names.js";
import { lowerCaseName } from "./request-parts.js";

export interface MappedResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  /** bytes (a base64 body decoded), or text to send as UTF-8 */
  body: Buffer | string;
}

export class InvalidFunctionResponse extends Error {
  override readonly name = "InvalidFunctionResponse";
}

const BAD_VALUE = /[\r\n\0]/;
/** Framing and hop-by-hop headers are the gateway's to set, never the function's. */
const DROPPED = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "trailer",
]);

export function mapFunctionResponse(payload: Buffer, version: "1.0" | "2.0"): MappedResponse {
  let output: unknown;
  try {
    output = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new InvalidFunctionResponse("the function's output is not JSON");
  }
  const isProxyShape =
    typeof output === "object" && output !== null && !Array.isArray(output) && "statusCode" in output;
  if (!isProxyShape) {
    if (version === "1.0") throw new InvalidFunctionResponse("format 1.0 needs an object with statusCode");
    const text = typeof output === "string" ? output : JSON.stringify(output);
    return { statusCode: 200, headers: [["content-type", "application/json"]], body: text };
  }
  return mapProxyResponse(output as Record<string, unknown>, version);
}

function mapProxyResponse(output: Record<string, unknown>, version: "1.0" | "2.0"): MappedResponse {
  const statusCode = output.statusCode;
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new InvalidFunctionResponse("statusCode must be an integer from 100 to 599");
  }
  const headers =
    version === "2.0" && output.multiValueHeaders === undefined
      ? singleValueHeaders(output.headers)
      : mergedHeaders(output, version);
  if (version === "2.0" && output.cookies !== undefined && output.cookies !== null) {
    if (!Array.isArray(output.cookies))
      throw new InvalidFunctionResponse("cookies must be an array of strings");
    for (const cookie of output.cookies) headers.push(["set-cookie", headerValue("set-cookie", cookie)]);
  }
  return { statusCode, headers, body: bodyOf(output) };
}

/**
 * `headers` alone (2.0 without multiValueHeaders), the common case: each name once, in the object's order; a
 * later spelling of a name (x-a after X-A) replaces the earlier one where that stood.
 */
function singleValueHeaders(value: unknown): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  if (value === undefined || value === null) return headers;
  const object = headerObject(value, "headers");
  const lowerNames: string[] = [];
  let dropped = false;
  for (const name in object) {
    const lower = lowerCaseName(name);
    const header: [string, string] = [name, headerValue(name, object[name])];
    const earlier = lowerNames.indexOf(lower);
    if (earlier >= 0) {
      headers[earlier] = header;
    } else {
      lowerNames.push(lower);
      headers.push(header);
      if (DROPPED.has(lower)) dropped = true;
    }
  }
  return dropped ? headers.filter((_, i) => !DROPPED.has(lowerNames[i]!)) : headers;
}

/** 1.0, or 2.0 with multiValueHeaders: headers and multiValueHeaders merged, the latter winning for a name. */
function mergedHeaders(output: Record<string, unknown>, version: "1.0" | "2.0"): Array<[string, string]> {
  const merged = new Map<string, Array<[string, string]>>();
  for (const [name, value] of objectEntries(output.headers, "headers")) {
    merged.set(name.toLowerCase(), [[name, headerValue(name, value)]]);
  }
  if (version === "1.0" || output.multiValueHeaders !== undefined) {
    for (const [name, values] of objectEntries(output.multiValueHeaders, "multiValueHeaders")) {
      if (!Array.isArray(values))
        throw new InvalidFunctionResponse(`multiValueHeaders.${name} must be an array`);
      merged.set(
        name.toLowerCase(),
        values.map((v): [string, string] => [name, headerValue(name, v)]),
      );
    }
  }
  const headers: Array<[string, string]> = [];
  for (const [lower, pairs] of merged) {
    if (!DROPPED.has(lower)) headers.push(...pairs);
  }
  return headers;
}

/** A header map's names checked (all of them, before any value); throws for anything but a plain object. */
function headerObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidFunctionResponse(`${field} must be an object`);
  for (const name in value) {
    if (lowerCaseToken(name) === undefined)
      throw new InvalidFunctionResponse(`invalid header name ${JSON.stringify(name)}`);
  }
  return value as Record<string, unknown>;
}

function objectEntries(value: unknown, field: string): Array<[string, unknown]> {
  if (value === undefined || value === null) return [];
  return Object.entries(headerObject(value, field));
}

function headerValue(name: string, value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new InvalidFunctionResponse(`header ${name} must be a string, number or boolean`);
  }
  const text = String(value);
  if (BAD_VALUE.test(text)) throw new InvalidFunctionResponse(`header ${name} contains CR, LF or NUL`);
  return text;
}

/** The body as text, left for the connection to encode straight into its write, or decoded from base64. */
function bodyOf(output: Record<string, unknown>): Buffer | string {
  const { body } = output;
  if (body === undefined || body === null) return "";
  if (typeof body !== "string") throw new InvalidFunctionResponse("body must be a string");
  return output.isBase64Encoded === true ? Buffer.from(body, "base64") : body;
}
