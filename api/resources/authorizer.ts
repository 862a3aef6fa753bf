// Authorizer: a Lambda authorizer (function type) or a JWT authorizer, as API Gateway HTTP APIs offer.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, statusFields } from "./common.js";
import { PayloadFormatVersionSchema } from "./route.js";
import {
  celRules,
  withDescription,
  HttpUrl,
  ResourceName,
  StringEnum,
  withDefault,
} from "./schema-helpers.js";

/** API Gateway's identity source syntax: $request.header.X, $request.querystring.x, $context.x, $stageVariables.x */
export const IDENTITY_SOURCE_PATTERN =
  "^\\$(request\\.(header|querystring)|context|stageVariables)\\.[A-Za-z0-9_.-]+$";
const IdentitySource = Type.String({ pattern: IDENTITY_SOURCE_PATTERN, maxLength: 256 });

export const FunctionAuthorizerSchema = Type.Object(
  {
    name: ResourceName({ description: "metadata.name of the authorizer Function in the same namespace" }),
    identitySources: withDefault(
      Type.Array(IdentitySource, {
        minItems: 1,
        maxItems: 10,
        description: "request parts that identify the caller; also the cache key",
      }),
      ["$request.header.Authorization"],
    ),
    resultTtlSeconds: Type.Integer({
      minimum: 0,
      maximum: 3600,
      default: 300,
      description: "0 disables caching",
    }),
    payloadFormatVersion: withDefault(PayloadFormatVersionSchema, "2.0"),
    enableSimpleResponses: Type.Boolean({
      default: false,
      description: "payload 2.0 only: handler returns {isAuthorized}",
    }),
  },
  {
    ...celRules({
      rule: "!self.enableSimpleResponses || self.payloadFormatVersion == '2.0'",
      message: "enableSimpleResponses needs payloadFormatVersion 2.0",
    }),
  },
);
export type FunctionAuthorizer = Static<typeof FunctionAuthorizerSchema>;

export const JwtAuthorizerSchema = Type.Object({
  issuer: HttpUrl({ description: "must equal the token's iss claim" }),
  audiences: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
    minItems: 1,
    maxItems: 50,
    description: "any one must be in aud",
  }),
  jwksUrl: Type.Optional(HttpUrl({ description: "defaults to OIDC discovery from issuer" })),
  identitySource: withDescription(
    "where the bearer token is",
    withDefault(IdentitySource, "$request.header.Authorization"),
  ),
});
export type JwtAuthorizer = Static<typeof JwtAuthorizerSchema>;

export const AUTHORIZER_TYPES = ["function", "jwt"] as const;

export const AuthorizerSpecSchema = Type.Object(
  {
    type: StringEnum(AUTHORIZER_TYPES),
    function: Type.Optional(withDescription("type function: a Lambda authorizer", FunctionAuthorizerSchema)),
    jwt: Type.Optional(withDescription("type jwt: a JWT authorizer", JwtAuthorizerSchema)),
  },
  {
    ...celRules(
      {
        rule: "self.type != 'function' || (has(self.function) && !has(self.jwt))",
        message: "type function needs the function block (and no jwt block)",
      },
      {
        rule: "self.type != 'jwt' || (has(self.jwt) && !has(self.function))",
        message: "type jwt needs the jwt block (and no function block)",
      },
    ),
  },
);
export type AuthorizerSpec = Static<typeof AuthorizerSpecSchema>;

export const AuthorizerStatusSchema = Type.Object({ ...statusFields });
export type AuthorizerStatus = Static<typeof AuthorizerStatusSchema>;

export type Authorizer = KappaResource<"Authorizer", AuthorizerSpec, AuthorizerStatus>;
