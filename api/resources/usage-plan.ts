// UsagePlan: throttling and quota shared by the ApiKeys that name it, as in API Gateway.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { HttpMethodList } from "./route.js";
import { celRules, withDescription, ResourceName, StringEnum } from "./schema-helpers.js";

export const ThrottleSchema = Type.Object({
  rateLimit: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1000000,
    description: "steady requests per second",
  }),
  burstLimit: Type.Integer({ minimum: 1, maximum: 1000000, description: "bucket size" }),
});
export type Throttle = Static<typeof ThrottleSchema>;

export const QUOTA_PERIODS = ["DAY", "WEEK", "MONTH"] as const;
export const QuotaSchema = Type.Object({
  limit: Type.Integer({ minimum: 1, description: "requests per period" }),
  period: StringEnum(QUOTA_PERIODS),
  offset: Type.Integer({ minimum: 0, default: 0, description: "requests already used in the first period" }),
});
export type Quota = Static<typeof QuotaSchema>;

export const RouteThrottleSchema = Type.Object({
  route: ResourceName({ description: "metadata.name of a Route in the same namespace" }),
  methods: Type.Optional(
    withDescription("methods the override applies to; all when absent", HttpMethodList({ minItems: 1 })),
  ),
  throttle: withDescription("overrides the plan throttle on this route", ThrottleSchema),
});
export type RouteThrottle = Static<typeof RouteThrottleSchema>;

export const UsagePlanSpecSchema = Type.Object(
  {
    throttle: Type.Optional(
      withDescription("requests per second for all keys of the plan together", ThrottleSchema),
    ),
    quota: Type.Optional(withDescription("requests per period, per key", QuotaSchema)),
    routeThrottles: Type.Optional(
      Type.Array(RouteThrottleSchema, { maxItems: 100, description: "per-route overrides" }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1024, description: "free text for people" })),
  },
  {
    ...celRules({
      rule: "has(self.throttle) || has(self.quota) || (has(self.routeThrottles) && size(self.routeThrottles) > 0)",
      message: "a usage plan sets throttle, quota or routeThrottles",
    }),
  },
);
export type UsagePlanSpec = Static<typeof UsagePlanSpecSchema>;

export const UsagePlanStatusSchema = Type.Object({
  ...statusFields,
  apiKeys: Type.Optional(Type.Integer({ minimum: 0, description: "ApiKeys that use this plan" })),
});
export type UsagePlanStatus = Static<typeof UsagePlanStatusSchema>;

export type UsagePlan = KappaResource<"UsagePlan", UsagePlanSpec, UsagePlanStatus>;
