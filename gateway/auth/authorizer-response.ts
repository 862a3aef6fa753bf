// What a function authorizer may answer: a simple response {isAuthorized, context} (payload 2.0 with
// enableSimpleResponses) or an IAM policy {principalId, policyDocument, context, usageIdentifierKey}.
// Anything else is malformed, and a malformed answer denies (500), never allows.
import { parsePolicy, type policyEffect } from "./policy.js";

type Statements = Parameters<typeof policyEffect>[0];

export type AuthorizerResult =
  | { kind: "simple"; isAuthorized: boolean; context?: Record<string, unknown> }
  | {
      kind: "policy";
      principalId?: string;
      statements: Statements;
      context?: Record<string, unknown>;
      usageIdentifierKey?: string;
    };

export class MalformedResponse extends Error {}

/** API Gateway's quota on an authorizer's answer. */
export const MAX_RESULT_BYTES = 8192;

function contextOf(value: unknown, primitivesOnly: boolean): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw new MalformedResponse("context must be an object");
  if (primitivesOnly) {
    for (const [key, item] of Object.entries(value)) {
      if (!["string", "number", "boolean"].includes(typeof item)) {
        throw new MalformedResponse(
          `context.${key} must be a string, number or boolean in payload format 1.0`,
        );
      }
    }
  }
  return value as Record<string, unknown>;
}

export function parseAuthorizerResponse(
  payload: Buffer,
  format: { version: "1.0" | "2.0"; simple: boolean },
): AuthorizerResult {
  if (payload.length > MAX_RESULT_BYTES)
    throw new MalformedResponse(`the answer is larger than ${MAX_RESULT_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new MalformedResponse("the answer is not JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new MalformedResponse("the answer must be a JSON object");
  const answer = body as Record<string, unknown>;
  if (format.simple && format.version === "2.0") {
    if (typeof answer.isAuthorized !== "boolean")
      throw new MalformedResponse("isAuthorized must be true or false");
    return { kind: "simple", isAuthorized: answer.isAuthorized, context: contextOf(answer.context, false) };
  }
  if (answer.principalId !== undefined && typeof answer.principalId !== "string") {
    throw new MalformedResponse("principalId must be a string");
  }
  if (answer.usageIdentifierKey !== undefined && typeof answer.usageIdentifierKey !== "string") {
    throw new MalformedResponse("usageIdentifierKey must be a string");
  }
  let statements: Statements;
  try {
    statements = parsePolicy(answer.policyDocument);
  } catch (error) {
    throw new MalformedResponse(error instanceof Error ? error.message : String(error));
  }
  return {
    kind: "policy",
    principalId: answer.principalId as string | undefined,
    statements,
    context: contextOf(answer.context, format.version === "1.0"),
    usageIdentifierKey: answer.usageIdentifierKey as string | undefined,
  };
}

/** A function error whose message is exactly "Unauthorized" means 401, as in API Gateway. */
export function isUnauthorizedError(payload: Buffer): boolean {
  try {
    const error = JSON.parse(payload.toString("utf8")) as { errorMessage?: unknown };
    return error?.errorMessage === "Unauthorized";
  } catch {
    return payload.toString("utf8").trim() === "Unauthorized";
  }
}
