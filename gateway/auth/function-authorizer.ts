// REQUEST function authorizers (Lambda authorizers): identity sources -> cached result or an invoke -> allow,
// 401, 403, or 500 when the authorizer fails. An authorizer that errors or times out never allows.
import type { FunctionAuthorizer } from "../../api/index.js";
import type { FunctionInvoker, GatewayRequest } from "../http/gateway-request.js";
import type { Clock, StageLogger } from "../ratelimit/index.js";
import { authorizerEvent1, authorizerEvent2 } from "./authorizer-event.js";
import {
  isUnauthorizedError,
  MalformedResponse,
  parseAuthorizerResponse,
  type AuthorizerResult,
} from "./authorizer-response.js";
import { authorizerFailure, forbidden, unauthorized } from "./errors.js";
import { identityValues } from "./identity-sources.js";
import type { AuthMetrics } from "./metrics.js";
import { policyEffect, routeArn } from "./policy.js";
import { ResultCache } from "./result-cache.js";

export interface FunctionAuthorizerDeps {
  invoker: FunctionInvoker;
  clock: Clock;
  logger: StageLogger;
  metrics: AuthMetrics;
  arn: { region: string; accountId: string };
  timeoutMs: number;
  cache: ResultCache<AuthorizerResult>;
  /** invokes under way by cache key: concurrent requests with the same identity share one (when caching is on) */
  pending: Map<string, Promise<AuthorizerResult>>;
}

export interface LoadedFunctionAuthorizer {
  /** namespace/name of the Authorizer, plus a version that changes with its spec (invalidates cached results) */
  id: string;
  namespace: string;
  spec: FunctionAuthorizer;
}

class AuthorizerTimeout extends Error {}

export async function runFunctionAuthorizer(
  authorizer: LoadedFunctionAuthorizer,
  request: GatewayRequest,
  deps: FunctionAuthorizerDeps,
): Promise<void> {
  const { spec } = authorizer;
  const sources = spec.identitySources ?? ["$request.header.Authorization"];
  const values = identityValues(sources, request);
  if (!values) {
    deps.metrics.authorizerDecisions.inc({ type: "function", outcome: "missing_identity" });
    throw unauthorized();
  }
  const now = deps.clock.now();
  const arn = routeArn({
    ...deps.arn,
    apiId: authorizer.namespace,
    stage: "$default",
    method: request.method,
    path: request.rawPath,
  });
  const ttlMs = (spec.resultTtlSeconds ?? 300) * 1000;
  const cacheKey = `${authorizer.id}\u0000${values.join("\u0000")}`;
  let result = ttlMs > 0 ? deps.cache.get(cacheKey) : undefined;
  if (ttlMs > 0) deps.metrics.authorizerCache.inc({ result: result ? "hit" : "miss" });

  if (!result && ttlMs > 0) {
    let pending = deps.pending.get(cacheKey);
    if (!pending) {
      pending = invokeAuthorizer(authorizer, request, deps, { arn, values, now }).finally(() =>
        deps.pending.delete(cacheKey),
      );
      deps.pending.set(cacheKey, pending);
    }
    result = await pending;
    deps.cache.set(cacheKey, result, ttlMs);
  } else if (!result) {
    result = await invokeAuthorizer(authorizer, request, deps, { arn, values, now });
  }

  const allowed =
    result.kind === "simple" ? result.isAuthorized : policyEffect(result.statements, arn) === "Allow";
  deps.metrics.authorizerDecisions.inc({ type: "function", outcome: allowed ? "allow" : "deny" });
  if (!allowed) throw forbidden("ACCESS_DENIED");
  request.identity.authorizer = {
    ...request.identity.authorizer,
    principalId: result.kind === "policy" ? result.principalId : undefined,
    context: result.context,
    usageIdentifierKey: result.kind === "policy" ? result.usageIdentifierKey : undefined,
  };
}

async function invokeAuthorizer(
  authorizer: LoadedFunctionAuthorizer,
  request: GatewayRequest,
  deps: FunctionAuthorizerDeps,
  call: { arn: string; values: string[]; now: number },
): Promise<AuthorizerResult> {
  const { spec } = authorizer;
  const version = spec.payloadFormatVersion ?? "2.0";
  const context = {
    accountId: deps.arn.accountId,
    apiId: authorizer.namespace,
    routeArn: call.arn,
    identitySource: call.values,
    now: call.now,
  };
  const event = version === "1.0" ? authorizerEvent1(request, context) : authorizerEvent2(request, context);
  const target = { namespace: authorizer.namespace, name: spec.name };
  const fail = (reason: string, detail: string) => {
    deps.metrics.authorizerDecisions.inc({ type: "function", outcome: reason });
    deps.logger.warn(
      {
        requestId: request.id,
        authorizer: authorizer.id,
        function: `${target.namespace}/${target.name}`,
        detail,
      },
      `authorizer ${reason}`,
    );
    return authorizerFailure();
  };

  let timer: NodeJS.Timeout | undefined;
  let answer: { payload: Buffer; functionError?: string };
  try {
    answer = await Promise.race([
      deps.invoker.invoke(target, Buffer.from(JSON.stringify(event)), {
        timeoutMs: deps.timeoutMs,
        requestId: request.id,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new AuthorizerTimeout(`no answer within ${deps.timeoutMs} ms`)),
          deps.timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw fail(error instanceof AuthorizerTimeout ? "timeout" : "error", message);
  } finally {
    clearTimeout(timer);
  }

  if (answer.functionError) {
    if (isUnauthorizedError(answer.payload)) {
      deps.metrics.authorizerDecisions.inc({ type: "function", outcome: "unauthorized" });
      throw unauthorized();
    }
    throw fail("error", `function error ${answer.functionError}`);
  }
  try {
    return parseAuthorizerResponse(answer.payload, { version, simple: spec.enableSimpleResponses ?? false });
  } catch (error) {
    if (error instanceof MalformedResponse) throw fail("malformed", error.message);
    throw error;
  }
}
