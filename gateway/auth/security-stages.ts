// All three security stages built together from the gateway's collaborators, sharing one limiter (and so one
// local refusal cache and one set of metrics). The pipeline decides their order (see index.ts).
import type { ResourceStore } from "../../api/index.js";
import type { FunctionInvoker, GatewayStage } from "../http/gateway-request.js";
import type { Registry } from "../ratelimit/deps.js";
import {
  createLimiter,
  rateLimitStage,
  type Clock,
  type CreateLimiterOptions,
  type StageLogger,
} from "../ratelimit/index.js";
import { apiKeyStage, type ApiKeySource } from "./api-key-stage.js";
import { authorizerStage, type AuthorizerStageOptions } from "./authorizer-stage.js";

export interface SecurityStagesOptions {
  store: ResourceStore;
  redis: CreateLimiterOptions["redis"];
  invoker: FunctionInvoker;
  clock?: Clock;
  logger?: StageLogger;
  registry?: Registry;
  apiKeySource?: ApiKeySource;
  limiter?: Omit<CreateLimiterOptions, "redis" | "clock" | "logger" | "registry">;
  authorizer?: Omit<AuthorizerStageOptions, "store" | "invoker" | "clock" | "logger" | "registry">;
}

export interface SecurityStages {
  apiKey: GatewayStage;
  authorizer: GatewayStage;
  rateLimit: GatewayStage;
  /** stops watching the store */
  close(): void;
}

export function securityStages(options: SecurityStagesOptions): SecurityStages {
  const { store, redis, invoker, clock, logger, registry } = options;
  const limiter = createLimiter({ ...options.limiter, redis, clock, logger, registry });
  const apiKey = apiKeyStage({ store, limiter, clock, logger, registry, apiKeySource: options.apiKeySource });
  const authorizer = authorizerStage({ ...options.authorizer, store, invoker, clock, logger, registry });
  const rateLimit = rateLimitStage({ limiter });
  return {
    apiKey,
    authorizer,
    rateLimit,
    close() {
      apiKey.close();
      authorizer.close();
    },
  };
}
