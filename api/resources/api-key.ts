// ApiKey: a key a client sends as x-api-key. The key itself lives in a Secret; gateways keep only its sha256.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { ResourceName } from "./schema-helpers.js";

/** A Secret data key, as Kubernetes allows them. */
export const SECRET_KEY_PATTERN = "^[-._a-zA-Z0-9]+$";

export const ApiKeySpecSchema = Type.Object({
  secretRef: Type.Object(
    {
      name: ResourceName({ description: "a Secret in the same namespace" }),
      key: Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: SECRET_KEY_PATTERN,
        default: "apiKey",
        description: "data key holding the API key",
      }),
    },
    { description: "the Secret and key that hold the API key" },
  ),
  usagePlan: Type.Optional(
    ResourceName({ description: "metadata.name of a UsagePlan in the same namespace" }),
  ),
  enabled: Type.Boolean({ default: true, description: "false refuses the key without deleting it" }),
  description: Type.Optional(Type.String({ maxLength: 1024, description: "free text for people" })),
});
export type ApiKeySpec = Static<typeof ApiKeySpecSchema>;

export const ApiKeyStatusSchema = Type.Object({
  ...statusFields,
  keySha256Prefix: Type.Optional(
    Type.String({ maxLength: 16, description: "first hex digits of the key's sha256, to tell keys apart" }),
  ),
});
export type ApiKeyStatus = Static<typeof ApiKeyStatusSchema>;

export type ApiKey = KappaResource<"ApiKey", ApiKeySpec, ApiKeyStatus>;
