// Which rules apply to which kind.
import type { KindName } from "../../resources/kinds.js";
import type { Issue } from "../issue.js";
import { authorizerRules, usagePlanRules } from "./auth-rules.js";
import { functionRules } from "./function-rules.js";
import { queueRules, queueTriggerRules } from "./queue-rules.js";
import { routeRules } from "./route-rules.js";
import type { RuleContext } from "./rule-context.js";
import { scheduleRules } from "./schedule-rules.js";

export type { RuleContext } from "./rule-context.js";

// Each rule is typed for its kind; the table is only reached after the schema accepted the resource.
type AnyRule = (resource: never, context: RuleContext) => Issue[];

const RULES: Partial<Record<KindName, AnyRule>> = {
  Function: functionRules,
  Route: routeRules,
  Authorizer: authorizerRules,
  UsagePlan: usagePlanRules,
  Queue: queueRules,
  QueueTrigger: queueTriggerRules,
  Schedule: scheduleRules,
};

export function resourceRuleIssues(kind: KindName, resource: unknown, context: RuleContext): Issue[] {
  const rule = RULES[kind] as ((resource: unknown, context: RuleContext) => Issue[]) | undefined;
  return rule ? rule(resource, context) : [];
}
