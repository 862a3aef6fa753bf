// The pieces of an HTTP request both API Gateway payload formats are built from: headers as sent (node's
// rawHeaders keep duplicates and original case), the query string, cookies, and how the body is encoded.
import { isUtf8 } from "node:buffer";
import { lowerCaseToken } from "../http1/header-names.js";

/** Header name (lower-case) -> values in the order sent. */
export type HeaderValues = Map<string, { name: string; values: string[] }>;

export function collectHeaders(rawHeaders: readonly string[]): HeaderValues {
  const headers: HeaderValues = new Map();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = lowerCaseName(name);
    const existing = headers.get(lower);
    if (existing) existing.values.push(rawHeaders[i + 1]!);
    else headers.set(lower, { name, values: [rawHeaders[i + 1]!] });
  }
  return headers;
}

/**
 * A header name in lower case: the same string for the same name every time (header-names.ts). The names the
 * request parser accepted are all tokens; any other name is lower-cased afresh.
 */
export function lowerCaseName(name: string): string {
  return lowerCaseToken(name) ?? name.toLowerCase();
}

/** Query parameter -> values in order; `+` and percent-escapes decoded as browsers encode forms. */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  if (rawQuery === "") return params;
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeQueryPart(pair.slice(eq + 1));
    const existing = params.get(key);
    if (existing) existing.push(value);
    else params.set(key, [value]);
  }
  return params;
}

function decodeQueryPart(part: string): string {
  const spaced = part.includes("+") ? part.replace(/\+/g, " ") : part;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Every cookie of every Cookie header, as "name=value" strings. */
export function splitCookies(values: readonly string[] | undefined): string[] {
  if (!values) return [];
  const cookies: string[] = [];
  for (const header of values) {
    for (const part of header.split(";")) {
      const cookie = part.trim();
      if (cookie !== "") cookies.push(cookie);
    }
  }
  return cookies;
}

const TEXT_TYPES = [
  "application/json",
  "application/xml",
  "application/javascript",
  "application/x-www-form-urlencoded",
  "application/graphql",
  "application/x-ndjson",
];

/** Whether a body of this content type travels as text; anything else is base64 (isBase64Encoded: true). */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === "application/json") return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "" || type.startsWith("text/")) return true;
  if (type.endsWith("+json") || type.endsWith("+xml")) return true;
  return TEXT_TYPES.includes(type);
}

export interface EncodedBody {
  body: string | undefined;
  isBase64Encoded: boolean;
}

export function encodeBody(body: Buffer, contentType: string | undefined): EncodedBody {
  if (body.length === 0) return { body: undefined, isBase64Encoded: false };
  // Bytes that are not valid UTF-8 would be mangled as text: those go base64 whatever their type says.
  if (isTextContentType(contentType) && isUtf8(body)) {
    return { body: body.toString("utf8"), isBase64Encoded: false };
  }
  return { body: body.toString("base64"), isBase64Encoded: true };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The last second formatted: requests arrive many per second, and the text only changes once a second. */
let formattedSecond = Number.NaN;
let formattedTime = "";

/** API Gateway's requestContext.time format: 12/Mar/2020:19:03:58 +0000 */
export function apiGatewayTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== formattedSecond) {
    const d = new Date(epochMs);
    formattedTime =
      `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
      `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    formattedSecond = second;
  }
  return formattedTime;
}

/** Whether an object has an own enumerable property, without listing them. */
export function hasEntries(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
