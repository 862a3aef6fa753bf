// Builders shared by the auth integration tests: requests as the router would hand them over, and resources.
import { randomUUID } from "node:crypto";
import { globalAgent } from "node:http";
import { after, before } from "node:test";
import { Redis } from "ioredis";
import type { StoredResource } from "../../../../api/index.js";
import type { GatewayRequest, MatchedRoute } from "../../../../gateway/http/gateway-request.js";
import { isHttpError, type HttpError } from "../../../../gateway/http/http-error.js";
import { startRedis, type TestRedis } from "../../../support/redis.js";

export function gatewayRequest(
  options: {
    route?: Partial<MatchedRoute>;
    headers?: GatewayRequest["headers"];
    method?: string;
    path?: string;
    query?: string;
    sourceIp?: string;
  } = {},
): GatewayRequest {
  return {
    id: randomUUID(),
    method: options.method ?? "GET",
    rawPath: options.path ?? "/pets/7",
    rawQuery: options.query ?? "",
    headers: { host: "api.example.test", "user-agent": "test", ...options.headers },
    host: "api.example.test",
    sourceIp: options.sourceIp ?? "10.1.2.3",
    receivedAt: Date.now(),
    route: {
      routeRef: { namespace: "default", name: "pets" },
      routeKey: "GET /pets/{id}",
      resourcePath: "/pets/{id}",
      pathParameters: { id: "7" },
      function: { namespace: "default", name: "pets" },
      payloadFormatVersion: "2.0",
      ...options.route,
    },
    identity: {},
  };
}

export const resource = (
  kind: string,
  name: string,
  spec: unknown,
  namespace = "default",
): StoredResource => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind,
  metadata: { name, namespace },
  spec,
});

export const secret = (
  name: string,
  data: Record<string, string>,
  namespace = "default",
): StoredResource => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});

/** Runs a stage and returns the HttpError it threw, or undefined when it let the request through. */
export async function outcome(
  stage: (r: GatewayRequest) => unknown,
  request: GatewayRequest,
): Promise<HttpError | undefined> {
  try {
    await stage(request);
    return undefined;
  } catch (error) {
    if (isHttpError(error)) return error;
    throw error;
  }
}

export const status = (error: HttpError | undefined) =>
  error ? `${error.status} ${error.message}` : "passed";

/**
 * test/support/redis.ts probes the Docker engine (when ~/.kappa/docker.env names one) through Node's global HTTP
 * agent, whose keep-alive sockets to the engine stay open and keep the test process from exiting. Call after
 * stopping Redis. (Reported to the owner of test/support/redis.ts.)
 */
export function releaseDockerProbeSockets(): void {
  globalAgent.destroy();
}

/**
 * One Redis for the calling test file: started before its tests, stopped after them together with every
 * connection made through `connect()` or handed to `track()` (each stands for a gateway replica's own connection).
 */
export function redisPerFile(): { connect(): Redis; track(client: Redis): Redis } {
  let redis: TestRedis;
  const clients: Redis[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
    releaseDockerProbeSockets();
  });
  const track = (client: Redis) => {
    clients.push(client);
    return client;
  };
  return { connect: () => track(new Redis(redis.url)), track };
}
