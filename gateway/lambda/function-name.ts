// The FunctionName forms of the Lambda Invoke API (AWS-COMPAT.md §2) mapped to a Kappa function:
//   name | name:qualifier                                       -> the default namespace (option lambdaNamespace)
//   <account>:function:name[:qualifier]                          (partial ARN)
//   arn:aws:lambda:<region>:<account>:function:name[:qualifier]  (full ARN)
// A 12-digit account means the default namespace; an account that is a DNS label IS the namespace, so any
// function is reachable: arn:aws:lambda:us-east-1:team-a:function:hello is team-a/hello. Kappa runs $LATEST
// only: other qualifiers are not found, as an unpublished version would be.
import { HttpError } from "../http/http-error.js";
import { isDnsLabel } from "../routing/function-path.js";

export const DEFAULT_ACCOUNT_ID = "000000000000";
export const LATEST = "$LATEST";

export interface LambdaTarget {
  namespace: string;
  name: string;
  qualifier?: string;
}

const invalid = (message: string) =>
  new HttpError(400, "InvalidParameterValueException", message, { style: "lambda" });

export function parseFunctionName(
  raw: string,
  defaultNamespace: string,
  queryQualifier?: string,
): LambdaTarget {
  if (raw.length === 0 || raw.length > 256) {
    throw invalid(
      "1 validation error detected: Value at 'functionName' failed to satisfy constraint: Member must have length between 1 and 256",
    );
  }
  const parts = raw.split(":");
  let account: string | undefined;
  let rest: string[];
  if (parts[0] === "arn") {
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.length < 7 || parts[2] !== "lambda" || parts[5] !== "function") {
      throw invalid(
        `FunctionName ${JSON.stringify(raw)} is not a Lambda function ARN: use arn:aws:lambda:<region>:<namespace or account>:function:<name>`,
      );
    }
    account = parts[4];
    rest = parts.slice(6);
  } else if (parts.length >= 3 && parts[1] === "function") {
    account = parts[0];
    rest = parts.slice(2);
  } else {
    rest = parts;
  }
  if (rest.length > 2 || rest[0] === undefined || rest[0] === "") {
    throw invalid(
      `FunctionName ${JSON.stringify(raw)} is not a function name, name:qualifier or function ARN`,
    );
  }
  if (account === undefined && rest[0].length > 64) {
    throw invalid("1 validation error detected: a function name may have at most 64 characters");
  }
  const namespace = account === undefined || /^\d{12}$/.test(account) ? defaultNamespace : account;
  if (!isDnsLabel(namespace)) {
    throw invalid(
      `the account part ${JSON.stringify(account)} of FunctionName must be a 12-digit account id or a Kappa namespace`,
    );
  }
  const nameQualifier = rest[1];
  if (nameQualifier !== undefined && queryQualifier !== undefined && nameQualifier !== queryQualifier) {
    throw invalid("The derived qualifier from the function name does not match the specified qualifier.");
  }
  return { namespace, name: rest[0], qualifier: nameQualifier ?? queryQualifier };
}

export function functionArn(
  region: string,
  namespace: string,
  name: string,
  defaultNamespace: string,
  qualifier?: string,
): string {
  const account = namespace === defaultNamespace ? DEFAULT_ACCOUNT_ID : namespace;
  return `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}
