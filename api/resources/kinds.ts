// The table of every Kappa kind: names, schemas and printer columns. The CRD generator, the validator and the
// controller's watches all read this one list.
import type { TSchema } from "@sinclair/typebox";
import { ApiKeySpecSchema, ApiKeyStatusSchema } from "./api-key.js";
import { AuthorizerSpecSchema, AuthorizerStatusSchema } from "./authorizer.js";
import { FunctionSpecSchema, FunctionStatusSchema } from "./function.js";
import { QueueTriggerSpecSchema, QueueTriggerStatusSchema } from "./queue-trigger.js";
import { QUEUE_ROOT_RULES, QueueSpecSchema, QueueStatusSchema } from "./queue.js";
import { RouteSpecSchema, RouteStatusSchema } from "./route.js";
import { RuntimePoolSpecSchema, RuntimePoolStatusSchema } from "./runtime-pool.js";
import type { CelRule } from "./schema-helpers.js";
import { ScheduleSpecSchema, ScheduleStatusSchema } from "./schedule.js";
import { UsagePlanSpecSchema, UsagePlanStatusSchema } from "./usage-plan.js";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  specSchema: TSchema;
  statusSchema: TSchema;
  printerColumns: PrinterColumn[];
  /** CEL rules on the whole object (they may read metadata.name) */
  rootRules: CelRule[];
}

const ready: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const reason: PrinterColumn = {
  name: "Reason",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  priority: 1,
};
const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const Kinds = [
  {
    kind: "Function",
    plural: "functions",
    singular: "function",
    shortNames: ["fn", "kfn"],
    specSchema: FunctionSpecSchema,
    statusSchema: FunctionStatusSchema,
    printerColumns: [
      { name: "Runtime", type: "string", jsonPath: ".spec.runtime" },
      ready,
      { name: "Instances", type: "integer", jsonPath: ".status.readyInstances" },
      { name: "URL", type: "string", jsonPath: ".status.url", priority: 1 },
      reason,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "Route",
    plural: "routes",
    singular: "route",
    shortNames: ["rt"],
    specSchema: RouteSpecSchema,
    statusSchema: RouteStatusSchema,
    printerColumns: [
      { name: "Host", type: "string", jsonPath: ".spec.host" },
      { name: "Path", type: "string", jsonPath: ".spec.path" },
      { name: "Function", type: "string", jsonPath: ".spec.function.name" },
      ready,
      reason,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "Authorizer",
    plural: "authorizers",
    singular: "authorizer",
    shortNames: ["authz"],
    specSchema: AuthorizerSpecSchema,
    statusSchema: AuthorizerStatusSchema,
    printerColumns: [{ name: "Type", type: "string", jsonPath: ".spec.type" }, ready, reason, age],
    rootRules: [],
  },
  {
    kind: "ApiKey",
    plural: "apikeys",
    singular: "apikey",
    shortNames: ["ak"],
    specSchema: ApiKeySpecSchema,
    statusSchema: ApiKeyStatusSchema,
    printerColumns: [
      { name: "Enabled", type: "boolean", jsonPath: ".spec.enabled" },
      { name: "UsagePlan", type: "string", jsonPath: ".spec.usagePlan" },
      { name: "Secret", type: "string", jsonPath: ".spec.secretRef.name", priority: 1 },
      ready,
      reason,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "UsagePlan",
    plural: "usageplans",
    singular: "usageplan",
    shortNames: ["up"],
    specSchema: UsagePlanSpecSchema,
    statusSchema: UsagePlanStatusSchema,
    printerColumns: [
      { name: "Rate", type: "number", jsonPath: ".spec.throttle.rateLimit" },
      { name: "Burst", type: "integer", jsonPath: ".spec.throttle.burstLimit" },
      { name: "Quota", type: "integer", jsonPath: ".spec.quota.limit" },
      { name: "Period", type: "string", jsonPath: ".spec.quota.period" },
      ready,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "Queue",
    plural: "queues",
    singular: "queue",
    shortNames: ["q", "kq"],
    specSchema: QueueSpecSchema,
    statusSchema: QueueStatusSchema,
    printerColumns: [
      { name: "FIFO", type: "boolean", jsonPath: ".spec.fifo" },
      { name: "Visible", type: "integer", jsonPath: ".status.visible" },
      { name: "InFlight", type: "integer", jsonPath: ".status.inFlight" },
      { name: "URL", type: "string", jsonPath: ".status.url", priority: 1 },
      ready,
      age,
    ],
    rootRules: QUEUE_ROOT_RULES,
  },
  {
    kind: "QueueTrigger",
    plural: "queuetriggers",
    singular: "queuetrigger",
    shortNames: ["qt"],
    specSchema: QueueTriggerSpecSchema,
    statusSchema: QueueTriggerStatusSchema,
    printerColumns: [
      { name: "Queue", type: "string", jsonPath: ".spec.queue" },
      { name: "Function", type: "string", jsonPath: ".spec.function" },
      { name: "Batch", type: "integer", jsonPath: ".spec.batchSize" },
      { name: "Enabled", type: "boolean", jsonPath: ".spec.enabled" },
      ready,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "Schedule",
    plural: "schedules",
    singular: "schedule",
    shortNames: ["sched"],
    specSchema: ScheduleSpecSchema,
    statusSchema: ScheduleStatusSchema,
    printerColumns: [
      { name: "Expression", type: "string", jsonPath: ".spec.expression" },
      { name: "Function", type: "string", jsonPath: ".spec.function" },
      { name: "Enabled", type: "boolean", jsonPath: ".spec.enabled" },
      { name: "Last", type: "date", jsonPath: ".status.lastScheduleTime" },
      ready,
      age,
    ],
    rootRules: [],
  },
  {
    kind: "RuntimePool",
    plural: "runtimepools",
    singular: "runtimepool",
    shortNames: ["rp"],
    specSchema: RuntimePoolSpecSchema,
    statusSchema: RuntimePoolStatusSchema,
    printerColumns: [
      { name: "Runtime", type: "string", jsonPath: ".spec.runtime" },
      { name: "Size", type: "integer", jsonPath: ".spec.size" },
      { name: "Ready", type: "integer", jsonPath: ".status.ready" },
      age,
    ],
    rootRules: [],
  },
] as const satisfies readonly KindInfo[];

export type KindName = (typeof Kinds)[number]["kind"];
export const KIND_NAMES: readonly KindName[] = Kinds.map((k) => k.kind);

export const kindInfo = (kind: string): KindInfo | undefined => Kinds.find((k) => k.kind === kind);
