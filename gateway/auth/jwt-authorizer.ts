// JWT authorizers, as API Gateway HTTP APIs check them: signature by a key of the issuer's JWKS (kid required),
// iss, aud (or client_id), exp/nbf/iat with a small leeway, then the route's scopes against scope/scp.
// Only asymmetric algorithms are accepted: `alg: none` and HS256-signed-with-the-public-key never verify.
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import type { JwtAuthorizer } from "../../api/index.js";
import type { GatewayRequest } from "../http/gateway-request.js";
import type { Clock, StageLogger } from "../ratelimit/index.js";
import { forbidden, unauthorized } from "./errors.js";
import { bearerToken, identityValue } from "./identity-sources.js";
import type { JwksCache } from "./jwks-cache.js";
import type { AuthMetrics } from "./metrics.js";

export const DEFAULT_JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
];

export interface JwtDeps {
  clock: Clock;
  logger: StageLogger;
  metrics: AuthMetrics;
  algorithms: string[];
  leewaySeconds: number;
}

export interface LoadedJwtAuthorizer {
  id: string;
  spec: JwtAuthorizer;
  keys: JwksCache;
}

const invalidToken = (description: string) =>
  unauthorized({
    "www-authenticate": `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, "")}"`,
  });

/** scope (space-separated string) or scp (list or string), as identity providers write them. */
export function tokenScopes(claims: JWTPayload): string[] {
  const scopes: string[] = [];
  for (const claim of [claims.scope, claims.scp]) {
    if (typeof claim === "string") scopes.push(...claim.split(" ").filter(Boolean));
    else if (Array.isArray(claim)) scopes.push(...claim.filter((s): s is string => typeof s === "string"));
  }
  return scopes;
}

export function audienceMatches(claims: JWTPayload, audiences: readonly string[]): boolean {
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (aud.some((a) => audiences.includes(a))) return true;
  const clientId = (claims as { client_id?: unknown }).client_id;
  return typeof clientId === "string" && audiences.includes(clientId);
}

export async function runJwtAuthorizer(
  authorizer: LoadedJwtAuthorizer,
  request: GatewayRequest,
  deps: JwtDeps,
): Promise<void> {
  const { spec } = authorizer;
  const deny = (outcome: string, description: string) => {
    deps.metrics.authorizerDecisions.inc({ type: "jwt", outcome });
    deps.logger.debug(
      { requestId: request.id, authorizer: authorizer.id, reason: description },
      "JWT refused",
    );
    return invalidToken(description);
  };
  const token = bearerToken(identityValue(spec.identitySource ?? "$request.header.Authorization", request));
  if (!token) {
    deps.metrics.authorizerDecisions.inc({ type: "jwt", outcome: "missing_token" });
    throw unauthorized({ "www-authenticate": "Bearer" });
  }
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw deny("malformed", "the token is not a JWT");
  }
  if (!kid) throw deny("missing_kid", "the token has no kid");

  const nowSeconds = Math.floor(deps.clock.now() / 1000);
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, authorizer.keys.resolve, {
      issuer: spec.issuer,
      algorithms: deps.algorithms,
      clockTolerance: deps.leewaySeconds,
      currentDate: new Date(deps.clock.now()),
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code ?? "ERR_INVALID";
    const expired = code === "ERR_JWT_EXPIRED";
    throw deny(expired ? "expired" : "invalid", expired ? "the token has expired" : "the token is not valid");
  }
  if (typeof claims.iat === "number" && claims.iat > nowSeconds + deps.leewaySeconds)
    throw deny("invalid", "the token was issued in the future");
  if (!audienceMatches(claims, spec.audiences)) throw deny("audience", "the token is not for this audience");

  const scopes = tokenScopes(claims);
  const required = request.route?.auth?.scopes ?? [];
  if (required.length > 0 && !required.some((scope) => scopes.includes(scope))) {
    deps.metrics.authorizerDecisions.inc({ type: "jwt", outcome: "insufficient_scope" });
    throw forbidden("ACCESS_DENIED", {
      "www-authenticate": `Bearer error="insufficient_scope", scope="${required.join(" ").replace(/["\\]/g, "")}"`,
    });
  }
  deps.metrics.authorizerDecisions.inc({ type: "jwt", outcome: "allow" });
  request.identity.authorizer = {
    ...request.identity.authorizer,
    jwt: { claims: claims as Record<string, unknown>, scopes },
  };
}
