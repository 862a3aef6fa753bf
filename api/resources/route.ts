// Route: host/path/method -> Function, like an API Gateway HTTP API route with its integration.
import { Type, type Static } from "@sinclair/typebox";
import { FunctionRefSchema, type KappaResource, statusFields } from "./common.js";
import {
  celRules,
  withDescription,
  ResourceName,
  StringEnum,
  withDefault,
  withObjectDefault,
} from "./schema-helpers.js";

export const HTTP_METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export const HttpMethodSchema = StringEnum(HTTP_METHODS);
export type HttpMethod = Static<typeof HttpMethodSchema>;

/** A list of methods without repeats (a Kubernetes set list: the API server rejects duplicates). */
export const HttpMethodList = (options: { minItems?: number } = {}) =>
  Type.Array(HttpMethodSchema, {
    maxItems: HTTP_METHODS.length,
    "x-kubernetes-list-type": "set",
    ...options,
  });

export const PAYLOAD_FORMAT_VERSIONS = ["1.0", "2.0"] as const;
export const PayloadFormatVersionSchema = StringEnum(PAYLOAD_FORMAT_VERSIONS, {
  description: "API Gateway event format: 2.0 (HTTP API) or 1.0 (REST API style)",
});

/** API Gateway HTTP APIs cap an integration at 30 s; we allow the same range. */
export const ROUTE_TIMEOUT_MS = { min: 50, max: 30000, default: 30000 } as const;

export const HOST_PATTERN = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
export const ROUTE_PATH_PATTERN = "^/";

export const RouteAuthSchema = Type.Object({
  apiKeyRequired: Type.Boolean({
    default: false,
    description: "require x-api-key with a valid, enabled ApiKey",
  }),
  authorizer: Type.Optional(
    ResourceName({ description: "metadata.name of an Authorizer in the same namespace" }),
  ),
  scopes: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      maxItems: 64,
      description: "JWT scopes, any of which grants access",
    }),
  ),
});
export type RouteAuth = Static<typeof RouteAuthSchema>;

/**
 * True for a Route that guards its function: an API key, an authorizer, JWT scopes or a rate limit. Such a
 * function is reached through its Routes only; its built-in /function/<ns>/<name> paths would go around them.
 */
export function routeGuardsFunction(spec: { auth?: Partial<RouteAuth>; rateLimit?: unknown }): boolean {
  const auth = spec.auth;
  return Boolean(auth?.apiKeyRequired || auth?.authorizer || auth?.scopes?.length || spec.rateLimit);
}

export const RATE_LIMIT_KEYS = ["route", "apiKey", "sourceIp"] as const;
export const RouteRateLimitSchema = Type.Object({
  perSecond: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1000000,
    description: "steady requests per second",
  }),
  burst: Type.Integer({ minimum: 1, maximum: 1000000, description: "bucket size" }),
  by: withDefault(
    StringEnum(RATE_LIMIT_KEYS, { description: "one bucket per route, per API key or per source IP" }),
    "route",
  ),
});
export type RouteRateLimit = Static<typeof RouteRateLimitSchema>;

const headerList = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100, description }));

export const RouteCorsSchema = Type.Object({
  allowOrigins: headerList("origins, or *"),
  allowMethods: Type.Optional(withDescription("methods a browser may use", HttpMethodList())),
  allowHeaders: headerList("request headers a browser may send"),
  exposeHeaders: headerList("response headers a browser may read"),
  maxAge: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 86400, description: "seconds a preflight is cached" }),
  ),
  allowCredentials: Type.Optional(
    Type.Boolean({ description: "allow cookies and Authorization on cross-origin requests" }),
  ),
});
export type RouteCors = Static<typeof RouteCorsSchema>;

export const RouteSpecSchema = Type.Object(
  {
    host: Type.Optional(
      Type.String({
        maxLength: 253,
        pattern: HOST_PATTERN,
        description: "match only this Host (a leading *. matches subdomains); any host when absent",
      }),
    ),
    path: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: ROUTE_PATH_PATTERN,
      description: "e.g. /users/{id} or /files/{proxy+}; {proxy+} is greedy and must be last",
    }),
    methods: withDescription(
      "methods this route serves; ANY = all",
      withDefault(HttpMethodList({ minItems: 1 }), ["ANY"]),
    ),
    function: withDescription("the Function invoked", FunctionRefSchema),
    priority: Type.Integer({
      default: 0,
      minimum: -1000,
      maximum: 1000,
      description: "higher wins when two routes match equally",
    }),
    payloadFormatVersion: withDefault(PayloadFormatVersionSchema, "2.0"),
    auth: withDescription("API key and authorizer requirements", withObjectDefault(RouteAuthSchema)),
    rateLimit: Type.Optional(
      withDescription("token bucket shared by all gateway replicas", RouteRateLimitSchema),
    ),
    cors: Type.Optional(
      withDescription("CORS: the gateway answers preflights and adds the headers", RouteCorsSchema),
    ),
    timeoutMilliseconds: Type.Integer({
      minimum: ROUTE_TIMEOUT_MS.min,
      maximum: ROUTE_TIMEOUT_MS.max,
      default: ROUTE_TIMEOUT_MS.default,
      description: "the gateway answers 504 when the function takes longer",
    }),
  },
  {
    ...celRules(
      {
        rule: "!self.path.contains('+}') || self.path.endsWith('+}')",
        message: "a greedy {name+} segment must be the last segment of path",
      },
      {
        rule: String.raw`self.path.matches(r'^/$|^(/([^/{}\s?#]+|\{[A-Za-z0-9_]+\+?\}))+/?$')`,
        message: "path segments are plain text or a whole {name} / {name+} parameter",
      },
      {
        rule: "!('ANY' in self.methods) || size(self.methods) == 1",
        message: "ANY already matches every method; list ANY alone or the methods you want",
      },
      {
        rule: "!has(self.rateLimit) || self.rateLimit.by != 'apiKey' || self.auth.apiKeyRequired",
        message: "rateLimit.by apiKey needs auth.apiKeyRequired: true",
      },
      {
        rule: "!has(self.auth.scopes) || size(self.auth.scopes) == 0 || has(self.auth.authorizer)",
        message: "auth.scopes need auth.authorizer",
      },
      {
        rule: "!has(self.cors) || !has(self.cors.allowCredentials) || !self.cors.allowCredentials || !has(self.cors.allowOrigins) || !('*' in self.cors.allowOrigins)",
        message: "cors.allowOrigins cannot be * when allowCredentials is true",
      },
    ),
  },
);
export type RouteSpec = Static<typeof RouteSpecSchema>;

export const RouteStatusSchema = Type.Object({
  ...statusFields,
  url: Type.Optional(Type.String({ description: "where the route answers on the gateway" })),
});
export type RouteStatus = Static<typeof RouteStatusSchema>;

export type Route = KappaResource<"Route", RouteSpec, RouteStatus>;
