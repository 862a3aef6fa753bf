// Pieces shared by every Kappa resource: the API group, typed conditions, and the resource envelope.
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { ResourceMeta } from "../store.js";
import { K8S_LABEL_PATTERN, ResourceName, StringEnum } from "./schema-helpers.js";

export const API_GROUP = "kappa.dev";
export const API_VERSION_NAME = "v1alpha1";
export const API_VERSION = `${API_GROUP}/${API_VERSION_NAME}` as const;

export const RUNTIMES = ["nodejs20", "nodejs22", "python3.11", "provided"] as const;
export const RuntimeSchema = StringEnum(RUNTIMES, {
  description: "nodejs20 | nodejs22 | python3.11 | provided (custom runtime or container image)",
});
export type Runtime = Static<typeof RuntimeSchema>;

export const ConditionSchema = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 316, description: "e.g. Ready" }),
  status: StringEnum(["True", "False", "Unknown"] as const),
  reason: Type.Optional(
    Type.String({ maxLength: 1024, description: "CamelCase reason for the last transition" }),
  ),
  message: Type.Optional(Type.String({ maxLength: 32768 })),
  lastTransitionTime: Type.Optional(Type.String({ format: "date-time" })),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type Condition = Static<typeof ConditionSchema>;

export const ConditionsSchema = Type.Array(ConditionSchema, {
  maxItems: 32,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
});

/** The fields every status carries; each kind adds its own. */
export const statusFields = {
  conditions: Type.Optional(ConditionsSchema),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
};

/** A reference to a Function; namespace defaults to the referring resource's namespace. */
export const FunctionRefSchema = Type.Object({
  name: ResourceName({ description: "metadata.name of the Function" }),
  namespace: Type.Optional(
    ResourceName({
      maxLength: 63,
      pattern: K8S_LABEL_PATTERN,
      description: "defaults to the namespace of this resource",
    }),
  ),
});
export type FunctionRef = Static<typeof FunctionRefSchema>;

export const QueueRefSchema = Type.Object({
  queue: ResourceName({ description: "metadata.name of a Queue in the same namespace" }),
});
export type QueueRef = Static<typeof QueueRefSchema>;

/** The full object as stored in Kubernetes; compatible with StoredResource of api/store.ts. */
export interface KappaResource<K extends string, S, St> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ResourceMeta;
  spec: S;
  status?: St;
}

export type SchemaOf<T extends TSchema> = Static<T>;
