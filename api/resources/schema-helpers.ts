// Small schema builders that keep every node of a resource schema valid both for ajv and as a *structural*
// Kubernetes CRD schema (no patternProperties, no const/anyOf with types, no $ref).
import { Type, type TSchema, type TUnsafe, type SchemaOptions } from "@sinclair/typebox";

/** A string limited to the given values: `{type: string, enum: [...]}` (typebox unions would emit anyOf+const). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: "string", enum: [...values] });

/** A map with free keys and string values, as Kubernetes writes maps (`additionalProperties`). */
export const StringMap = (options: SchemaOptions = {}) =>
  Type.Unsafe<Record<string, string>>({
    ...options,
    type: "object",
    additionalProperties: { type: "string" },
  });

/** Any JSON value, kept as written (Kubernetes keeps it because of `x-kubernetes-preserve-unknown-fields`). */
export const FreeJson = (options: SchemaOptions = {}) =>
  Type.Unsafe<unknown>({ ...options, "x-kubernetes-preserve-unknown-fields": true });

/** A CEL rule that the API server checks at `kubectl apply`; the validator in api/validate.ts mirrors it in TS. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
}

export const celRules = (...rules: CelRule[]) => ({ "x-kubernetes-validations": rules });

/** The name of another resource in the same namespace (DNS-1123 subdomain, as Kubernetes names are). */
export const K8S_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** A DNS-1123 label, as namespace names are. */
export const K8S_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
export const ResourceName = (options: SchemaOptions = {}) =>
  Type.String({ minLength: 1, maxLength: 253, pattern: K8S_NAME_PATTERN, ...options });

export const HTTP_URL_PATTERN = "^https?://[^\\s]+$";
export const HttpUrl = (options: SchemaOptions = {}) =>
  Type.String({ maxLength: 2048, pattern: HTTP_URL_PATTERN, ...options });

/**
 * Fields with a default are required in the stored shape (the API server and withDefaults() fill them), so the
 * TypeScript type consumers read has them; a manifest may leave them out.
 */
export const withDefault = <T extends TSchema>(schema: T, value: unknown): T => ({
  ...schema,
  default: value,
});

/**
 * An object field that is always present: its default is the object of its fields' own defaults, spelled out,
 * because the API server validates a default as written (it does not default inside a default first).
 */
export const withObjectDefault = <T extends TSchema & { properties: Record<string, TSchema> }>(
  schema: T,
): T =>
  withDefault(
    schema,
    Object.fromEntries(
      Object.entries(schema.properties)
        .filter(([, property]) => property.default !== undefined)
        .map(([name, property]) => [name, property.default]),
    ),
  );

/** The same schema with a description (for kubectl explain and docs/resources.md). */
export const withDescription = <T extends TSchema>(description: string, schema: T): T => ({
  ...schema,
  description,
});

export type { TSchema, TUnsafe };
