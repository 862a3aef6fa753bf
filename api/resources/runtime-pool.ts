// RuntimePool: generic warm pods of one runtime, specialized into a Function's instance on a cold start.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, RuntimeSchema, statusFields } from "./common.js";
import { MEMORY_MIB } from "./function.js";

export const RuntimePoolSpecSchema = Type.Object({
  runtime: RuntimeSchema,
  size: Type.Integer({ minimum: 0, maximum: 100, default: 1, description: "warm pods kept ready" }),
  memoryMiB: Type.Integer({
    minimum: MEMORY_MIB.min,
    maximum: MEMORY_MIB.max,
    default: MEMORY_MIB.default,
    description: "pods serve Functions with at most this much memory",
  }),
  image: Type.Optional(
    Type.String({ minLength: 1, maxLength: 1024, description: "overrides the runtime's image" }),
  ),
});
export type RuntimePoolSpec = Static<typeof RuntimePoolSpecSchema>;

export const RuntimePoolStatusSchema = Type.Object({
  ...statusFields,
  ready: Type.Optional(Type.Integer({ minimum: 0, description: "warm pods waiting to be specialized" })),
  specialized: Type.Optional(
    Type.Integer({ minimum: 0, description: "pods handed to functions since creation" }),
  ),
});
export type RuntimePoolStatus = Static<typeof RuntimePoolStatusSchema>;

export type RuntimePool = KappaResource<"RuntimePool", RuntimePoolSpec, RuntimePoolStatus>;
