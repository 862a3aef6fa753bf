// Schedule rules: the expression must parse and the time zone must exist.
import type { Schedule } from "../../resources/schedule.js";
import {
  isValidTimezone,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../../schedule-expression.js";
import type { Issue } from "../issue.js";
import type { ResourceRule } from "./rule-context.js";

export const scheduleRules: ResourceRule<Schedule> = ({ spec }) => {
  const issues: Issue[] = [];
  try {
    parseScheduleExpression(spec.expression);
  } catch (error) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    issues.push({ path: "spec.expression", message: error.message });
  }
  if (!isValidTimezone(spec.timezone)) {
    issues.push({
      path: "spec.timezone",
      message: `"${spec.timezone}" is not an IANA time zone such as UTC or Europe/Paris`,
    });
  }
  return issues;
};
