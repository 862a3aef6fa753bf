// Authorizer and UsagePlan rules.
import type { Authorizer } from "../../resources/authorizer.js";
import type { UsagePlan } from "../../resources/usage-plan.js";
import type { Issue } from "../issue.js";
import type { ResourceRule } from "./rule-context.js";

export const authorizerRules: ResourceRule<Authorizer> = ({ spec }) => {
  const issues: Issue[] = [];
  const other = spec.type === "function" ? "jwt" : "function";
  if (spec[spec.type] === undefined) {
    issues.push({ path: `spec.${spec.type}`, message: `is required when type is ${spec.type}` });
  }
  if (spec[other] !== undefined) {
    issues.push({
      path: `spec.${other}`,
      message: `belongs to type ${other}; remove it or set type: ${other}`,
    });
  }
  if (spec.function?.enableSimpleResponses && spec.function.payloadFormatVersion !== "2.0") {
    issues.push({ path: "spec.function.enableSimpleResponses", message: 'needs payloadFormatVersion "2.0"' });
  }
  return issues;
};

export const usagePlanRules: ResourceRule<UsagePlan> = ({ spec }) => {
  const issues: Issue[] = [];
  if (!spec.throttle && !spec.quota && !spec.routeThrottles?.length) {
    issues.push({ path: "spec", message: "sets no limit: give throttle, quota or routeThrottles" });
  }
  const routes = (spec.routeThrottles ?? []).map((t) => t.route);
  const repeated = routes.find((r, i) => routes.indexOf(r) !== i);
  if (repeated) issues.push({ path: "spec.routeThrottles", message: `lists route ${repeated} twice` });
  return issues;
};
