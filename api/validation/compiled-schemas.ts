// ajv validators compiled from the same typebox schemas the CRDs are generated from. The only additions are
// things the API server does by itself: it rejects unknown fields (kubectl's strict field validation), checks
// metadata, and knows the built-in Secret and ConfigMap kinds.
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { API_VERSION } from "../resources/common.js";
import { Kinds, type KindName } from "../resources/kinds.js";
import { K8S_LABEL_PATTERN, K8S_NAME_PATTERN } from "../resources/schema-helpers.js";

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
      pattern: K8S_LABEL_PATTERN,
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
    // ajv's code optimizer triples compile time; manifests are few and small, startup time matters more
    code: { optimize: false },
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

export interface KindValidator {
  apiVersion: string;
  validate: ValidateFunction;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, KindValidator>();

/** The validator of a kind (a Kappa kind, Secret or ConfigMap), compiled the first time that kind is seen. */
export function validatorFor(kind: string): KindValidator | undefined {
  const cached = compiled.get(kind);
  if (cached) return cached;
  const info = Kinds.find((k) => k.kind === kind);
  const builtIn = Object.hasOwn(BUILT_IN_KINDS, kind) ? BUILT_IN_KINDS[kind as BuiltInKind] : undefined;
  if (!info && !builtIn) return undefined;
  ajv ??= makeAjv();
  const validator = info
    ? {
        apiVersion: API_VERSION,
        validate: ajv.compile(
          JSON.parse(
            JSON.stringify(resourceSchema(closedSchema(info.specSchema), closedSchema(info.statusSchema))),
          ),
        ),
      }
    : { apiVersion: "v1", validate: ajv.compile(builtIn!) };
  compiled.set(kind, validator);
  return validator;
}

export const isKappaKind = (kind: string): kind is KindName => Kinds.some((k) => k.kind === kind);
