// Schedule: invoke a Function on a cron or rate expression, as an EventBridge schedule does.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { celRules, FreeJson, ResourceName } from "./schema-helpers.js";

export const ScheduleSpecSchema = Type.Object({
  expression: Type.String({
    minLength: 1,
    maxLength: 256,
    description: "rate(5 minutes), cron(0 12 * * ? *) as in EventBridge, or a plain 5-field cron",
    // The shape only: the validator (api/schedule-expression.ts) also checks every field's values.
    ...celRules({
      rule: String.raw`self.matches(r'^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)$') || self.matches(r'^cron\(\S+( \S+){5}\)$') || self.matches(r'^\S+( \S+){4}$')`,
      message: "expression must be rate(N unit), cron(6 fields) or a 5-field cron",
    }),
  }),
  timezone: Type.String({
    default: "UTC",
    maxLength: 64,
    description: "IANA zone for cron, e.g. Europe/Paris",
  }),
  function: ResourceName({ description: "metadata.name of a Function in the same namespace" }),
  payload: Type.Optional(FreeJson({ description: "the event the function receives (any JSON)" })),
  enabled: Type.Boolean({ default: true, description: "false pauses the schedule" }),
});
export type ScheduleSpec = Static<typeof ScheduleSpecSchema>;

export const ScheduleStatusSchema = Type.Object({
  ...statusFields,
  lastScheduleTime: Type.Optional(Type.String({ format: "date-time" })),
  nextScheduleTime: Type.Optional(Type.String({ format: "date-time" })),
  lastResult: Type.Optional(
    Type.String({ maxLength: 1024, description: "Succeeded, or the error of the last run" }),
  ),
});
export type ScheduleStatus = Static<typeof ScheduleStatusSchema>;

export type Schedule = KappaResource<"Schedule", ScheduleSpec, ScheduleStatus>;
