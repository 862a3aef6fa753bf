// Server-side verification of AWS Signature Version 4 (Authorization header, and the presigned query form)
// against Kappa access keys. Independent of any HTTP framework: the SQS API and the Lambda Invoke API both
// call verifySigV4 with the request as received. The canonical request follows @smithy/signature-v4 and
// botocore: for non-S3 services the already-encoded path is URI-encoded again.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { AccessKeyStore } from "./access-keys.js";

export interface SigV4Request {
  method: string;
  /** The raw request target as received (path, optionally with "?query"). */
  path: string;
  /** The raw query string without "?" when `path` does not carry it. */
  query?: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigV4Principal {
  accessKeyId: string;
  region: string;
  service: string;
}

export type SigV4ErrorCode =
  | "InvalidSignatureException"
  | "IncompleteSignatureException"
  | "MissingAuthenticationTokenException"
  | "UnrecognizedClientException";

const QUERY_CODES: Record<SigV4ErrorCode, string> = {
  InvalidSignatureException: "SignatureDoesNotMatch",
  IncompleteSignatureException: "IncompleteSignature",
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  UnrecognizedClientException: "InvalidClientTokenId",
};

export class SigV4Error extends Error {
  readonly status = 403;
  /** The code of the query protocol (SQS's x-amzn-query-error). */
  readonly queryCode: string;

  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SigV4Error";
    this.queryCode = QUERY_CODES[code];
  }
}

const ALGORITHM = "AWS4-HMAC-SHA256";
/** Allowed difference between the request's date and our clock, as AWS allows. */
const MAX_SKEW_MS = 5 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;

const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as the AWS signers do it: encodeURIComponent plus !'()*. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const joined = `${rawPath.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && rawPath.endsWith("/") ? "/" : ""}`;
  return escapeUri(joined).replace(/%2F/g, "/");
}

function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split("&")
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0
        ? [decodeQueryComponent(part), ""]
        : [decodeQueryComponent(part.slice(0, eq)), decodeQueryComponent(part.slice(eq + 1))];
    });
}

function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .filter(([key]) => key !== "X-Amz-Signature")
    .map(([key, value]) => [escapeUri(key), escapeUri(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

function headerValue(headers: SigV4Request["headers"], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (value === undefined) {
    for (const [key, v] of Object.entries(headers))
      if (key.toLowerCase() === name) return Array.isArray(v) ? v.join(",") : v;
    return undefined;
  }
  return Array.isArray(value) ? value.join(",") : value;
}

interface SignatureParts {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string | undefined;
  presignedExpires?: number;
}

function parseCredential(
  credential: string,
  where: string,
): Omit<SignatureParts, "signedHeaders" | "signature" | "amzDate"> {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1] ?? ""))
    throw new SigV4Error(
      "IncompleteSignatureException",
      `Credential should be scoped to a valid region and be of the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request (${where}).`,
    );
  return { accessKeyId: parts[0]!, day: parts[1]!, region: parts[2]!, service: parts[3]! };
}

function parseAuthorization(authorization: string, headers: SigV4Request["headers"]): SignatureParts {
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM)
    throw new SigV4Error(
      "IncompleteSignatureException",
      `Unsupported AWS 'algorithm': '${algorithm}' (expected ${ALGORITHM}).`,
    );
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const required of ["Credential", "SignedHeaders", "Signature"])
    if (!fields.get(required))
      throw new SigV4Error(
        "IncompleteSignatureException",
        `Authorization header requires '${required}' parameter. Authorization=${authorization.split("Signature=")[0]}...`,
      );
  const amzDate = headerValue(headers, "x-amz-date");
  const date = headerValue(headers, "date");
  if (!amzDate && !date)
    throw new SigV4Error(
      "IncompleteSignatureException",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  return {
    ...parseCredential(fields.get("Credential")!, "Authorization header"),
    signedHeaders: fields.get("SignedHeaders")!.split(";"),
    signature: fields.get("Signature")!,
    amzDate: amzDate ?? toAmzDate(date!),
  };
}

function parsePresigned(query: Map<string, string>): SignatureParts {
  const algorithm = query.get("X-Amz-Algorithm");
  if (algorithm !== ALGORITHM)
    throw new SigV4Error(
      "IncompleteSignatureException",
      `Unsupported AWS 'algorithm': '${algorithm}' (expected ${ALGORITHM}).`,
    );
  for (const required of [
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Expires",
  ])
    if (!query.get(required))
      throw new SigV4Error(
        "IncompleteSignatureException",
        `AWS query-string parameters must include '${required}'.`,
      );
  const expires = Number(query.get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_SECONDS)
    throw new SigV4Error(
      "IncompleteSignatureException",
      "X-Amz-Expires must be an integer from 1 to 604800.",
    );
  return {
    ...parseCredential(query.get("X-Amz-Credential")!, "X-Amz-Credential"),
    signedHeaders: query.get("X-Amz-SignedHeaders")!.split(";"),
    signature: query.get("X-Amz-Signature")!,
    amzDate: query.get("X-Amz-Date"),
    presignedExpires: expires,
  };
}

function toAmzDate(httpDate: string): string | undefined {
  const ms = Date.parse(httpDate);
  return Number.isNaN(ms)
    ? undefined
    : new Date(ms)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
}

function parseAmzDate(value: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const formatAmzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

function checkDate(parts: SignatureParts, now: number): string {
  const signedAt = parseAmzDate(parts.amzDate);
  if (signedAt === undefined)
    throw new SigV4Error(
      "IncompleteSignatureException",
      `X-Amz-Date "${parts.amzDate ?? ""}" is not a valid date: use the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.`,
    );
  if (parts.amzDate!.slice(0, 8) !== parts.day)
    throw new SigV4Error(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts.day}' != '${parts.amzDate!.slice(0, 8)}'.`,
    );
  if (parts.presignedExpires !== undefined) {
    if (now > signedAt + parts.presignedExpires * 1000)
      throw new SigV4Error("InvalidSignatureException", "Signature expired: the presigned URL has expired.");
    if (signedAt > now + MAX_SKEW_MS)
      throw new SigV4Error(
        "InvalidSignatureException",
        `Signature not yet current: ${parts.amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)}.`,
      );
  } else if (signedAt < now - MAX_SKEW_MS) {
    throw new SigV4Error(
      "InvalidSignatureException",
      `Signature expired: ${parts.amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 5 min.)`,
    );
  } else if (signedAt > now + MAX_SKEW_MS) {
    throw new SigV4Error(
      "InvalidSignatureException",
      `Signature not yet current: ${parts.amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 5 min.)`,
    );
  }
  return parts.amzDate!;
}

const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const cacheKey = `${sha256Hex(secret)}/${day}/${region}/${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
    // Bounded: a handful of keys × regions × services per day.
    if (signingKeys.size > 1000) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/**
 * Verifies the request's SigV4 signature; returns who signed it, or throws SigV4Error with AWS's code.
 * `now` is the verifier's clock (ms since the epoch or a Date), passed in so tests can control it.
 */
export async function verifySigV4(
  request: SigV4Request,
  keys: AccessKeyStore,
  now: number | Date,
): Promise<SigV4Principal> {
  const nowMs = typeof now === "number" ? now : now.getTime();
  const q = request.path.indexOf("?");
  const rawPath = q < 0 ? request.path : request.path.slice(0, q);
  const rawQuery = q < 0 ? (request.query ?? "") : request.path.slice(q + 1);
  const queryPairs = parseQuery(rawQuery);
  const queryMap = new Map(queryPairs);
  const authorization = headerValue(request.headers, "authorization");
  let parts: SignatureParts;
  if (authorization) parts = parseAuthorization(authorization, request.headers);
  else if (queryMap.has("X-Amz-Signature") || queryMap.has("X-Amz-Algorithm"))
    parts = parsePresigned(queryMap);
  else throw new SigV4Error("MissingAuthenticationTokenException", "Missing Authentication Token");

  if (!parts.signedHeaders.includes("host"))
    throw new SigV4Error(
      "IncompleteSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  const amzDate = checkDate(parts, nowMs);

  const secret = await keys.lookup(parts.accessKeyId);
  if (secret === undefined)
    throw new SigV4Error(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );

  const declaredHash = headerValue(request.headers, "x-amz-content-sha256");
  const bodyHash = sha256Hex(request.body);
  if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== bodyHash)
    throw new SigV4Error(
      "InvalidSignatureException",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );

  const canonicalHeaders = parts.signedHeaders
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const scope = `${parts.day}/${parts.region}/${parts.service}/aws4_request`;
  const key = signingKey(secret, parts.day, parts.region, parts.service);
  const provided = Buffer.from(parts.signature, "utf8");
  const candidates = [declaredHash ?? bodyHash];
  // Presigned URLs are often signed over UNSIGNED-PAYLOAD; accept either form for them.
  if (parts.presignedExpires !== undefined && declaredHash === undefined) candidates.push("UNSIGNED-PAYLOAD");
  for (const payloadHash of candidates) {
    const canonicalRequest = [
      request.method.toUpperCase(),
      canonicalPath(rawPath),
      canonicalQuery(queryPairs),
      canonicalHeaders,
      parts.signedHeaders.join(";"),
      payloadHash,
    ].join("\n");
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const expected = Buffer.from(
      createHmac("sha256", key).update(stringToSign, "utf8").digest("hex"),
      "utf8",
    );
    if (expected.length === provided.length && timingSafeEqual(expected, provided))
      return { accessKeyId: parts.accessKeyId, region: parts.region, service: parts.service };
  }
  throw new SigV4Error("InvalidSignatureException", MISMATCH);
}
