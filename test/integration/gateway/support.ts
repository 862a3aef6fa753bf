// Shared pieces of the gateway's integration tests: a real Redis, a gateway started on free ports, a small real
// HTTP server speaking the agent's /invoke contract (api/agent.ts) whose behaviour each test scripts, and the
// controller's part (writing InstanceRecords into Redis and announcing them) played by the test.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { request } from "undici";
import { AgentHeaders } from "../../../api/agent.js";
import { RedisKeys, type InstanceRecord } from "../../../api/instances.js";
import { MemoryResourceStore, type StoredResource } from "../../../api/store.js";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../../gateway/server.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

export { uniquePrefix };

export interface AgentCall {
  requestId: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type AgentBehaviour = (call: AgentCall, res: ServerResponse) => void | Promise<void>;

/** A real HTTP server implementing POST /invoke of api/agent.ts, with behaviour chosen by the test. */
export class ScriptedAgent {
  readonly calls: AgentCall[] = [];
  inflight = 0;
  maxInflight = 0;

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
    public behaviour: AgentBehaviour,
  ) {}

  static async start(behaviour: AgentBehaviour = echoResult): Promise<ScriptedAgent> {
    const holder: { agent?: ScriptedAgent } = {};
    const server = createServer((req, res) => {
      const agent = holder.agent;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const call: AgentCall = {
          requestId: String(req.headers[AgentHeaders.requestId]),
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        agent!.calls.push(call);
        agent!.inflight++;
        agent!.maxInflight = Math.max(agent!.maxInflight, agent!.inflight);
        res.on("close", () => agent!.inflight--);
        void Promise.resolve(agent!.behaviour(call, res)).catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    holder.agent = new ScriptedAgent(server, `http://127.0.0.1:${port}`, behaviour);
    return holder.agent;
  }

  events(): unknown[] {
    return this.calls.map((c) => JSON.parse(c.body.toString("utf8")));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Answers with a fixed function result (JSON-encoded). */
export const respondWith =
  (result: unknown, headers: Record<string, string> = {}): AgentBehaviour =>
  (_call, res) => {
    res.writeHead(200, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(result));
  };

/** Answers with a proxy response whose body is the event it got. */
export const echoResult: AgentBehaviour = (call, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: call.body.toString("utf8"),
    }),
  );
};

export function functionResource(
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): StoredResource {
  return {
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Function",
    metadata: { namespace, name },
    spec: {
      runtime: "nodejs20",
      handler: "index.handler",
      code: { inline: { "index.js": "" } },
      memoryMiB: 128,
      timeoutSeconds: 10,
      ...spec,
    },
  };
}

export function routeResource(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): StoredResource {
  return { apiVersion: "kappa.dev/v1alpha1", kind: "Route", metadata: { namespace, name }, spec };
}

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  store: MemoryResourceStore;
  redis: Redis;
  registry: Registry;
  /** the controller's part: make an instance ready for a function */
  addInstance(
    namespace: string,
    name: string,
    record: Partial<InstanceRecord> & { url: string },
  ): Promise<InstanceRecord>;
  removeInstance(namespace: string, name: string, id: string): Promise<void>;
  close(): Promise<void>;
}

let sharedRedis: TestRedis | undefined;

/** One Redis per test file; gateways use unique function namespaces so they never see each other's keys. */
export async function testRedis(): Promise<TestRedis> {
  sharedRedis ??= await startRedis();
  return sharedRedis;
}

export async function stopTestRedis(): Promise<void> {
  await sharedRedis?.stop();
  sharedRedis = undefined;
  // test/support/redis.ts asks a Docker engine (when one is configured) for a local Redis image, and that
  // client keeps a socket to the engine open, so the test process would never exit. An unref'd timer fires
  // only if something like that still holds the process: then end it, keeping the test outcome.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
}

export async function startTestGateway(overrides: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const server = await testRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: 3 });
  const store = (overrides.store as MemoryResourceStore | undefined) ?? new MemoryResourceStore();
  const registry = new Registry();
  const gateway = await startGateway({
    host: "127.0.0.1",
    port: 0,
    apiPort: null,
    redis,
    store,
    logger: pino({ level: process.env.KAPPA_TEST_LOG ?? "silent" }),
    registry,
    gatewayId: uniquePrefix("gw"),
    ...overrides,
    limits: { accessLog: false, ...overrides.limits },
  });
  let counter = 0;
  return {
    gateway,
    url: `http://127.0.0.1:${gateway.port}`,
    store,
    redis,
    registry,
    async addInstance(namespace, name, record) {
      const full: InstanceRecord = {
        id: `i-${++counter}`,
        perInstance: 1,
        readySince: Date.now(),
        ...record,
      };
      await redis.hset(RedisKeys.instances(namespace, name), full.id, JSON.stringify(full));
      await redis.publish(RedisKeys.instancesChannel, `${namespace}/${name}`);
      return full;
    },
    async removeInstance(namespace, name, id) {
      await redis.hdel(RedisKeys.instances(namespace, name), id);
      await redis.publish(RedisKeys.instancesChannel, `${namespace}/${name}`);
    },
    async close() {
      await gateway.close();
      redis.disconnect();
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export async function call(url: string, options: Parameters<typeof request>[1] = {}): Promise<HttpResult> {
  const res = await request(url, options);
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** Waits until `check` passes, re-checking every 20 ms, failing after `ms`. */
export async function eventually(check: () => void | Promise<void>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
