// IAM policies returned by function authorizers: does the policy allow `execute-api:Invoke` on this route's ARN?
// An explicit Deny wins over any Allow; no matching Allow is a Deny. Wildcards as IAM: `*` any run of characters
// (including "/"), `?` one character.

export interface ArnContext {
  region: string;
  accountId: string;
  /** Kappa uses the route's namespace as the API id */
  apiId: string;
  stage: string;
  method: string;
  /** the request path, starting with "/" */
  path: string;
}

/** arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}, as API Gateway builds methodArn/routeArn. */
export const routeArn = (c: ArnContext): string =>
  `arn:aws:execute-api:${c.region}:${c.accountId}:${c.apiId}/${c.stage}/${c.method.toUpperCase()}${c.path}`;

export class MalformedPolicy extends Error {}

interface Statement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
}

const asList = (value: unknown, field: string): string[] => {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === "string")) {
    throw new MalformedPolicy(`policyDocument ${field} must be a string or a list of strings`);
  }
  return list as string[];
};

/** Checks the document's shape; throws MalformedPolicy naming what is wrong. */
export function parsePolicy(document: unknown): Statement[] {
  if (!document || typeof document !== "object")
    throw new MalformedPolicy("policyDocument must be an object");
  const raw = (document as { Statement?: unknown }).Statement;
  if (raw === undefined) throw new MalformedPolicy("policyDocument.Statement is missing");
  const statements = Array.isArray(raw) ? raw : [raw];
  return statements.map((statement, i) => {
    if (!statement || typeof statement !== "object")
      throw new MalformedPolicy(`Statement[${i}] must be an object`);
    const s = statement as Record<string, unknown>;
    // Conditions and Not* forms could turn a Deny into something narrower than meant; refuse rather than guess.
    for (const unsupported of ["NotAction", "NotResource", "Condition", "NotPrincipal"]) {
      if (unsupported in s) throw new MalformedPolicy(`Statement[${i}].${unsupported} is not supported`);
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") {
      throw new MalformedPolicy(`Statement[${i}].Effect must be "Allow" or "Deny"`);
    }
    return {
      effect: s.Effect,
      actions: asList(s.Action, `Statement[${i}].Action`),
      resources: asList(s.Resource, `Statement[${i}].Resource`),
    };
  });
}

/** IAM wildcard match, without building a RegExp from untrusted text (no ReDoS). */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === value[v])) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = v;
    } else if (star !== -1) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

const INVOKE = "execute-api:invoke";
const actionMatches = (action: string) => wildcardMatch(action.toLowerCase(), INVOKE);

export function policyEffect(statements: Statement[], arn: string): "Allow" | "Deny" {
  let allowed = false;
  for (const statement of statements) {
    if (!statement.actions.some(actionMatches)) continue;
    if (!statement.resources.some((resource) => wildcardMatch(resource, arn))) continue;
    if (statement.effect === "Deny") return "Deny";
    allowed = true;
  }
  return allowed ? "Allow" : "Deny";
}
