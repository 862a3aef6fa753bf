// ajv validators compiled from the same typebox schemas the CRDs are generated from. The only additions are
// things the API server does by itself: it rejects unknown fields (kubectl's strict field validation), checks
// metadata, and knows the built-in Secret and ConfigMap kinds.
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { API_VERSION } from "../resources/common.js";
import { Kinds, type KindName } from "../resources/kinds.js";
import { K8S_NAME_PATTERN } from "../resources/schema-helpers.js";

type Json = { [key: string]: unknown };

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const MetadataSchema = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 253, pattern: K8S_NAME_PATTERN },
    namespace: {
      type: "string",
      minLength: 1,
      maxLength: 63,
      pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
      default: "default",
    },
    labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
  },
  // the rest (uid, generation, managedFields, ...) is the API server's business
} as const;

/** Copy of a schema where every object with declared properties rejects fields it does not declare. */
export function closedSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const node = schema as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "properties" || key === "items" || key === "additionalProperties"
        ? closeChildren(key, value)
        : value;
  }
  if (
    node.properties &&
    node.additionalProperties === undefined &&
    !node["x-kubernetes-preserve-unknown-fields"]
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function closeChildren(key: string, value: unknown): unknown {
  if (key !== "properties") return closedSchema(value);
  return Object.fromEntries(
    Object.entries(value as Json).map(([name, child]) => [name, closedSchema(child)]),
  );
}

const resourceSchema = (spec: unknown, status: unknown) => ({
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: MetadataSchema,
    spec,
    status,
  },
  additionalProperties: false,
});

const StringMapSchema = { type: "object", additionalProperties: { type: "string" } };
const builtInSchema = (extra: Json) => ({
  type: "object",
  required: ["apiVersion", "kind", "metadata"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: MetadataSchema,
    ...extra,
  },
  additionalProperties: false,
});

export const BUILT_IN_KINDS = {
  Secret: builtInSchema({
    type: { type: "string" },
    data: StringMapSchema,
    stringData: StringMapSchema,
    immutable: { type: "boolean" },
  }),
  ConfigMap: builtInSchema({
    data: StringMapSchema,
    binaryData: StringMapSchema,
    immutable: { type: "boolean" },
  }),
} as const;
export type BuiltInKind = keyof typeof BUILT_IN_KINDS;

function makeAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    strict: true,
    strictRequired: false,
  });
  addFormats(ajv);
  for (const keyword of [
    "x-kubernetes-validations",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-preserve-unknown-fields",
  ]) {
    ajv.addKeyword({ keyword, schemaType: ["array", "string", "boolean"] });
  }
  return ajv;
}

export interface KindValidators {
  apiVersion: string;
  validate: ValidateFunction;
}

let compiled: Map<string, KindValidators> | undefined;

/** Validators per kind (Kappa kinds and Secret/ConfigMap), compiled on first use. */
export function validatorsByKind(): Map<string, KindValidators> {
  if (compiled) return compiled;
  const ajv = makeAjv();
  compiled = new Map();
  for (const info of Kinds) {
    const schema = resourceSchema(closedSchema(info.specSchema), closedSchema(info.statusSchema));
    compiled.set(info.kind, {
      apiVersion: API_VERSION,
      validate: ajv.compile(JSON.parse(JSON.stringify(schema))),
    });
  }
  for (const [kind, schema] of Object.entries(BUILT_IN_KINDS)) {
    compiled.set(kind, { apiVersion: "v1", validate: ajv.compile(schema) });
  }
  return compiled;
}

export const isKappaKind = (kind: string): kind is KindName => Kinds.some((k) => k.kind === kind);
