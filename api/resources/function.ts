// Function: a Lambda-style function. The shape of DESIGN.md "Resources", field by field.
import { Type, type Static } from "@sinclair/typebox";
import { type KappaResource, QueueRefSchema, RuntimeSchema, statusFields } from "./common.js";
import {
  celRules,
  withDescription,
  HttpUrl,
  ResourceName,
  StringMap,
  withObjectDefault,
} from "./schema-helpers.js";

/** Lambda's limits: memory in 1 MiB steps from 128 to 10240, timeout up to 15 minutes. */
export const MEMORY_MIB = { min: 128, max: 10240, default: 128 } as const;
/** Lambda's console default is 3 s, but most HTTP handlers need more; 30 s matches API Gateway's integration cap. */
export const TIMEOUT_SECONDS = { min: 1, max: 900, default: 30 } as const;
/** Lambda allows 4 KiB of environment variables in total (keys + values), and so do we. */
export const ENV_TOTAL_BYTES = 4096;
/** Names the platform sets itself in every instance; a Function may not override them. */
export const RESERVED_ENV_PREFIXES = ["AWS_", "LAMBDA_"] as const;
export const RESERVED_ENV_NAMES = ["_HANDLER", "_X_AMZN_TRACE_ID", "TZ"] as const;
/** Inline code total; kubectl's last-applied annotation doubles an object, and etcd takes ~1.5 MiB per object. */
export const INLINE_CODE_TOTAL_BYTES = 512 * 1024;

export const SHA256_PATTERN = "^[a-f0-9]{64}$";

export const FunctionCodeSchema = Type.Object(
  {
    inline: Type.Optional(
      StringMap({
        description: "file name -> file text, e.g. { index.js: '...' }",
        minProperties: 1,
        maxProperties: 64,
        ...celRules({
          rule: String.raw`self.all(f, !f.startsWith('/') && !f.matches(r'(^|/)\.{0,2}(/|$)'))`,
          message: "inline file names are relative, without '.', '..' or empty segments",
        }),
      }),
    ),
    configMap: Type.Optional(
      withDescription(
        "a ConfigMap holding the code files",
        Type.Object({
          name: ResourceName({ description: "a ConfigMap in the same namespace; keys are file names" }),
        }),
      ),
    ),
    url: Type.Optional(HttpUrl({ description: "a .zip fetched and verified with sha256" })),
    sha256: Type.Optional(
      Type.String({
        pattern: SHA256_PATTERN,
        description: "hex sha256 of the file at url (required with url)",
      }),
    ),
    image: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: "a container image implementing the Lambda Runtime API",
      }),
    ),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: "local mode only: a folder relative to the manifest",
      }),
    ),
  },
  {
    description: "exactly one of inline, configMap, url (+sha256), image, path",
    ...celRules(
      {
        rule: "[has(self.inline), has(self.configMap), has(self.url), has(self.image), has(self.path)].exists_one(x, x)",
        message: "code must set exactly one of inline, configMap, url, image, path",
      },
      { rule: "has(self.url) == has(self.sha256)", message: "code.url and code.sha256 go together" },
      {
        rule: "!has(self.path)",
        message: "code.path works only in local mode (kappa dev); use inline, configMap, url or image",
      },
    ),
  },
);
export type FunctionCode = Static<typeof FunctionCodeSchema>;

export const FunctionConcurrencySchema = Type.Object(
  {
    perInstance: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 1,
      description: "requests one instance serves at once",
    }),
    reserved: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description: "hard cap on concurrent requests for the function",
      }),
    ),
  },
  {
    ...celRules({
      rule: "!has(self.reserved) || self.reserved >= self.perInstance",
      message: "concurrency.reserved must be >= concurrency.perInstance",
    }),
  },
);

export const FunctionScalingSchema = Type.Object(
  {
    minInstances: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 0,
      description: "> 0 keeps instances warm (provisioned)",
    }),
    maxInstances: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 10,
      description: "upper bound for the autoscaler",
    }),
    idleSeconds: Type.Integer({
      minimum: 1,
      maximum: 86400,
      default: 300,
      description: "scale to minInstances after this long without traffic",
    }),
  },
  {
    ...celRules({
      rule: "self.minInstances <= self.maxInstances",
      message: "scaling.minInstances must be <= scaling.maxInstances",
    }),
  },
);

export const FunctionAsyncSchema = Type.Object({
  maxRetries: Type.Integer({
    minimum: 0,
    maximum: 2,
    default: 2,
    description: "retries of a failed async invocation",
  }),
  maxEventAgeSeconds: Type.Integer({
    minimum: 60,
    maximum: 21600,
    default: 21600,
    description: "an async event older than this is dropped to onFailure",
  }),
  onFailure: Type.Optional(
    withDescription("a Queue that receives a record of each event that finally failed", QueueRefSchema),
  ),
  onSuccess: Type.Optional(
    withDescription("a Queue that receives a record of each successful async invocation", QueueRefSchema),
  ),
});

export const FunctionSpecSchema = Type.Object(
  {
    runtime: RuntimeSchema,
    handler: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "<file>.<export> as in Lambda; free-form for provided",
      }),
    ),
    code: FunctionCodeSchema,
    env: Type.Optional(
      StringMap({
        maxProperties: 512,
        description: "environment variables; 4 KiB in total; AWS_*, LAMBDA_*, _HANDLER are reserved",
        ...celRules(
          {
            rule: "self.all(k, k.matches('^[A-Za-z][A-Za-z0-9_]*$'))",
            message: "env names must match [A-Za-z][A-Za-z0-9_]*",
          },
          {
            rule: "self.all(k, !k.startsWith('AWS_') && !k.startsWith('LAMBDA_') && k != '_HANDLER' && k != '_X_AMZN_TRACE_ID' && k != 'TZ')",
            message: "env names AWS_*, LAMBDA_*, _HANDLER, _X_AMZN_TRACE_ID and TZ are reserved",
          },
        ),
      }),
    ),
    memoryMiB: Type.Integer({
      minimum: MEMORY_MIB.min,
      maximum: MEMORY_MIB.max,
      default: MEMORY_MIB.default,
      description: "memory limit of an instance; CPU follows memory as in Lambda",
    }),
    timeoutSeconds: Type.Integer({
      minimum: TIMEOUT_SECONDS.min,
      maximum: TIMEOUT_SECONDS.max,
      default: TIMEOUT_SECONDS.default,
      description: "an invocation running longer is stopped and fails",
    }),
    concurrency: withDescription(
      "concurrent requests per instance and for the function",
      withObjectDefault(FunctionConcurrencySchema),
    ),
    scaling: withDescription(
      "instance bounds and scale-to-zero delay",
      withObjectDefault(FunctionScalingSchema),
    ),
    async: withDescription(
      "retries and destinations of asynchronous (Event) invocations",
      withObjectDefault(FunctionAsyncSchema),
    ),
  },
  {
    ...celRules(
      {
        rule: "self.runtime == 'provided' || (has(self.handler) && self.handler.matches('^[^\\\\s]+\\\\.[A-Za-z_$][A-Za-z0-9_$]*$'))",
        message: "handler must be <file>.<export>, e.g. index.handler",
      },
      {
        rule: "!has(self.code.image) || self.runtime == 'provided'",
        message: "code.image needs runtime: provided",
      },
    ),
  },
);
export type FunctionSpec = Static<typeof FunctionSpecSchema>;

export const FunctionStatusSchema = Type.Object({
  ...statusFields,
  instances: Type.Optional(Type.Integer({ minimum: 0 })),
  readyInstances: Type.Optional(Type.Integer({ minimum: 0 })),
  url: Type.Optional(Type.String()),
  codeSha256: Type.Optional(Type.String()),
  lastScaleTime: Type.Optional(Type.String({ format: "date-time" })),
});
export type FunctionStatus = Static<typeof FunctionStatusSchema>;

/** Named KappaFunction so it never shadows the global Function. */
export type KappaFunction = KappaResource<"Function", FunctionSpec, FunctionStatus>;
