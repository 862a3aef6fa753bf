// Route rules: path templates as API Gateway reads them, method lists, auth and CORS combinations.
import type { Route } from "../../resources/route.js";
import type { Issue } from "../issue.js";
import type { ResourceRule } from "./rule-context.js";

const PARAM = /^\{([A-Za-z0-9_]+)(\+)?\}$/;
const LITERAL = /^[^{}\s?#]+$/;

export const routeRules: ResourceRule<Route> = ({ spec }) => {
  const issues: Issue[] = [...pathIssues(spec.path)];
  const methods = spec.methods;
  if (methods.includes("ANY") && methods.length > 1) {
    issues.push({
      path: "spec.methods",
      message: "ANY already matches every method; list ANY alone or the methods you want",
    });
  }
  const duplicate = methods.find((m, i) => methods.indexOf(m) !== i);
  if (duplicate) issues.push({ path: "spec.methods", message: `lists ${duplicate} twice` });
  if (spec.rateLimit?.by === "apiKey" && !spec.auth.apiKeyRequired) {
    issues.push({
      path: "spec.rateLimit.by",
      message: "apiKey needs auth.apiKeyRequired: true, or requests without a key share no bucket",
    });
  }
  if (spec.auth.scopes && spec.auth.scopes.length > 0 && !spec.auth.authorizer) {
    issues.push({
      path: "spec.auth.scopes",
      message: "need auth.authorizer (a jwt Authorizer checks the scopes)",
    });
  }
  if (spec.cors?.allowCredentials && spec.cors.allowOrigins?.includes("*")) {
    issues.push({
      path: "spec.cors.allowOrigins",
      message: "cannot be * when allowCredentials is true (browsers refuse it); list the origins",
    });
  }
  return issues;
};

/** "/users/{id}/files/{proxy+}": literal or {param} segments, a greedy {name+} only last, no repeated names. */
export function pathIssues(path: string): Issue[] {
  if (!path.startsWith("/")) return [{ path: "spec.path", message: `must start with / (got "${path}")` }];
  if (path === "/") return [];
  const segments = path.slice(1).replace(/\/$/, "").split("/");
  const seen = new Set<string>();
  for (const [index, segment] of segments.entries()) {
    const param = PARAM.exec(segment);
    if (param) {
      const [, name, greedy] = param;
      if (greedy && index !== segments.length - 1) {
        return [
          { path: "spec.path", message: `{${name}+} is greedy and must be the last segment (got "${path}")` },
        ];
      }
      if (seen.has(name!)) return [{ path: "spec.path", message: `uses {${name}} twice (got "${path}")` }];
      seen.add(name!);
    } else if (!LITERAL.test(segment)) {
      return [
        {
          path: "spec.path",
          message: `segment "${segment}" must be plain text or a whole {name} / {name+} parameter (got "${path}")`,
        },
      ];
    }
  }
  return [];
}
