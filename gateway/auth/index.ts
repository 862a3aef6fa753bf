// The gateway's auth stages. Each factory checks its options when built and returns a GatewayStage.
// Order in the pipeline: authorizerStage -> apiKeyStage -> rateLimitStage (gateway/ratelimit), as API Gateway
// evaluates them. The authorizer must run before the API key stage when keys come from an authorizer's
// usageIdentifierKey (apiKeySource AUTHORIZER); with x-api-key header keys either order is correct.
export {
  apiKeyStage,
  API_KEY_HEADER,
  planThrottle,
  type ApiKeySource,
  type ApiKeyStage,
  type ApiKeyStageOptions,
} from "./api-key-stage.js";
export { authorizerStage, type AuthorizerStage, type AuthorizerStageOptions } from "./authorizer-stage.js";
export { ApiKeyIndex, MIN_API_KEY_LENGTH, sha256 } from "./api-key-index.js";
export { routeArn, policyEffect, parsePolicy, wildcardMatch } from "./policy.js";
export { identityValue, identityValues, bearerToken } from "./identity-sources.js";
export type { FetchFunction } from "./jwks-cache.js";
export { securityStages, type SecurityStages, type SecurityStagesOptions } from "./security-stages.js";
