// The authorizer stage: for routes with auth.authorizer, run the named Authorizer (function or jwt) of the route's
// namespace. Authorizers are loaded from the store and reloaded when they change (their cached results and JWKS
// caches go with the old version).
import type { AuthorizerSpec, ResourceStore, StoredResource } from "../../api/index.js";
import type { FunctionInvoker, GatewayRequest, GatewayStage, MatchedRoute } from "../http/gateway-request.js";
import {
  checkClock,
  defaultRegistry,
  requireOption,
  silentLogger,
  type Registry,
} from "../ratelimit/deps.js";
import type { Clock, StageLogger } from "../ratelimit/index.js";
import { routeNamespace } from "./api-key-stage.js";
import type { AuthorizerResult } from "./authorizer-response.js";
import { authorizerFailure } from "./errors.js";
import {
  runFunctionAuthorizer,
  type FunctionAuthorizerDeps,
  type LoadedFunctionAuthorizer,
} from "./function-authorizer.js";
import { identitySourceProblem } from "./identity-sources.js";
import { JwksCache, type FetchFunction } from "./jwks-cache.js";
import {
  DEFAULT_JWT_ALGORITHMS,
  runJwtAuthorizer,
  type JwtDeps,
  type LoadedJwtAuthorizer,
} from "./jwt-authorizer.js";
import { authMetrics } from "./metrics.js";
import { ResultCache } from "./result-cache.js";

export interface AuthorizerStageOptions {
  store: ResourceStore;
  /** calls function authorizers; provided by the invoke path */
  invoker: FunctionInvoker;
  clock?: Clock;
  logger?: StageLogger;
  registry?: Registry;
  /** for JWKS and OIDC discovery; default the global fetch */
  fetch?: FetchFunction;
  /** region and account in route ARNs (policy Resources); default kappa / 000000000000 */
  arn?: { region: string; accountId: string };
  /** function authorizer timeout; default 10 000 ms (API Gateway's) */
  timeoutMs?: number;
  /** cached function authorizer results kept at most; default 10 000 */
  cacheMaxEntries?: number;
  jwks?: { cooldownMs?: number; maxAgeMs?: number; timeoutMs?: number };
  /** accepted JWT algorithms (asymmetric only); default RS*, PS*, ES* */
  jwtAlgorithms?: string[];
  /** clock skew allowed on exp/nbf/iat; default 60 s */
  jwtLeewaySeconds?: number;
}

type Loaded =
  | { kind: "function"; authorizer: LoadedFunctionAuthorizer }
  | { kind: "jwt"; authorizer: LoadedJwtAuthorizer }
  | { kind: "invalid"; problem: string };

const positive = (stage: string, name: string, value: number | undefined, fallback: number): number => {
  const result = value ?? fallback;
  if (typeof result !== "number" || !Number.isFinite(result) || result <= 0) {
    throw new TypeError(`${stage}: option "${name}" must be a positive number (got ${String(value)})`);
  }
  return result;
};

export type AuthorizerStage = GatewayStage & { close(): void };

export function authorizerStage(options: AuthorizerStageOptions): AuthorizerStage {
  const name = "authorizerStage";
  const store = requireOption(
    name,
    "store",
    options?.store,
    "the ResourceStore holding Authorizer resources",
  );
  const invoker = requireOption(
    name,
    "invoker",
    options.invoker,
    "a FunctionInvoker to call function authorizers",
  );
  if (typeof invoker.invoke !== "function")
    throw new TypeError(`${name}: option "invoker" must have an invoke() method`);
  const clock = checkClock(name, options.clock);
  const logger = options.logger ?? silentLogger;
  const metrics = authMetrics(options.registry ?? defaultRegistry);
  const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchFunction);
  if (typeof fetchImpl !== "function") throw new TypeError(`${name}: option "fetch" must be a function`);
  const arn = options.arn ?? { region: "kappa", accountId: "000000000000" };
  if (!/^[a-z0-9-]+$/.test(arn.region) || !/^[0-9]{12}$/.test(arn.accountId)) {
    throw new TypeError(
      `${name}: option "arn" needs region (lower-case letters, digits, -) and a 12-digit accountId`,
    );
  }
  const algorithms = options.jwtAlgorithms ?? DEFAULT_JWT_ALGORITHMS;
  const symmetric = algorithms.filter((a) => !/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a));
  if (algorithms.length === 0 || symmetric.length > 0) {
    throw new TypeError(
      `${name}: option "jwtAlgorithms" must list asymmetric algorithms only (RS*, PS*, ES*, EdDSA); refused: ${symmetric.join(", ") || "(empty list)"}`,
    );
  }
  const leewaySeconds = options.jwtLeewaySeconds ?? 60;
  if (!Number.isFinite(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > 300) {
    throw new TypeError(
      `${name}: option "jwtLeewaySeconds" must be between 0 and 300 (got ${leewaySeconds})`,
    );
  }
  const jwks = {
    cooldownMs: positive(name, "jwks.cooldownMs", options.jwks?.cooldownMs, 30_000),
    maxAgeMs: positive(name, "jwks.maxAgeMs", options.jwks?.maxAgeMs, 600_000),
    timeoutMs: positive(name, "jwks.timeoutMs", options.jwks?.timeoutMs, 1500),
  };
  const functionDeps: FunctionAuthorizerDeps = {
    invoker,
    clock,
    logger,
    metrics,
    arn,
    timeoutMs: positive(name, "timeoutMs", options.timeoutMs, 10_000),
    cache: new ResultCache<AuthorizerResult>(
      clock,
      positive(name, "cacheMaxEntries", options.cacheMaxEntries, 10_000),
    ),
    pending: new Map(),
  };
  const jwtDeps: JwtDeps = { clock, logger, metrics, algorithms, leewaySeconds };

  const loaded = new Map<string, Loaded>();
  let generation = 0;
  const unsubscribe = store.onChange(({ resource }) => {
    if (resource.kind !== "Authorizer") return;
    loaded.delete(`${resource.metadata.namespace}/${resource.metadata.name}`);
    generation++; // cached results of the old spec can never be hit again
  });

  const load = (namespace: string, authorizerName: string): Loaded | undefined => {
    const id = `${namespace}/${authorizerName}`;
    const existing = loaded.get(id);
    if (existing) return existing;
    const resource = store.get<StoredResource & { spec?: AuthorizerSpec }>(
      "Authorizer",
      namespace,
      authorizerName,
    );
    if (!resource?.spec) return undefined;
    const entry = loadAuthorizer(id, namespace, resource.spec);
    if (entry.kind === "invalid")
      logger.error(
        { authorizer: id, problem: entry.problem },
        "Authorizer is invalid; routes using it answer 500",
      );
    loaded.set(id, entry);
    return entry;
  };

  const loadAuthorizer = (id: string, namespace: string, spec: AuthorizerSpec): Loaded => {
    const versioned = `${id}#${generation}`;
    if (spec.type === "function" && spec.function) {
      const problem = (spec.function.identitySources ?? []).map(identitySourceProblem).find(Boolean);
      if (problem) return { kind: "invalid", problem: `spec.function.identitySources: ${problem}` };
      return { kind: "function", authorizer: { id: versioned, namespace, spec: spec.function } };
    }
    if (spec.type === "jwt" && spec.jwt) {
      const problem = identitySourceProblem(spec.jwt.identitySource ?? "$request.header.Authorization");
      if (problem) return { kind: "invalid", problem: `spec.jwt.identitySource: ${problem}` };
      if (!spec.jwt.issuer || !spec.jwt.audiences?.length)
        return { kind: "invalid", problem: "spec.jwt needs issuer and at least one audience" };
      const keys = new JwksCache({
        issuer: spec.jwt.issuer,
        jwksUrl: spec.jwt.jwksUrl,
        fetch: fetchImpl,
        clock,
        logger,
        ...jwks,
      });
      return { kind: "jwt", authorizer: { id: versioned, spec: spec.jwt, keys } };
    }
    return {
      kind: "invalid",
      problem: `spec.type must be "function" (with spec.function) or "jwt" (with spec.jwt)`,
    };
  };

  const authorize = async (request: GatewayRequest, route: MatchedRoute, authorizerName: string) => {
    const namespace = routeNamespace(route);
    const entry = load(namespace, authorizerName);
    if (!entry || entry.kind === "invalid") {
      if (!entry)
        logger.error(
          { authorizer: `${namespace}/${authorizerName}`, requestId: request.id },
          "route names an Authorizer that does not exist",
        );
      metrics.authorizerDecisions.inc({ type: "unknown", outcome: "configuration_error" });
      throw authorizerFailure();
    }
    if (entry.kind === "function") await runFunctionAuthorizer(entry.authorizer, request, functionDeps);
    else await runJwtAuthorizer(entry.authorizer, request, jwtDeps);
  };

  // A route without an authorizer passes synchronously: no promise for the common case.
  const stage = (request: GatewayRequest): Promise<void> | undefined => {
    const route = request.route;
    const authorizerName = route?.auth?.authorizer;
    if (!route || !authorizerName) return undefined;
    return authorize(request, route, authorizerName);
  };
  return Object.assign(stage, {
    close: () => {
      unsubscribe();
      functionDeps.cache.clear();
    },
  });
}
