import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryResourceStore } from "../../api/index.js";
import { securityStages } from "./security-stages.js";

const redis = { evalsha: async () => [1, 0, 0], eval: async () => [1, 0, 0] };
const invoker = { invoke: async () => ({ payload: Buffer.from("{}") }) };

test("securityStages builds the three stages and checks every option on the way", () => {
  const stages = securityStages({ store: new MemoryResourceStore(), redis, invoker });
  assert.equal(typeof stages.apiKey, "function");
  assert.equal(typeof stages.authorizer, "function");
  assert.equal(typeof stages.rateLimit, "function");
  stages.close();
  assert.throws(
    () =>
      securityStages({ store: new MemoryResourceStore(), redis, invoker, apiKeySource: "COOKIE" as never }),
    /apiKeySource/,
  );
  assert.throws(
    () =>
      securityStages({
        store: new MemoryResourceStore(),
        redis,
        invoker,
        limiter: { failOpen: "no" as never },
      }),
    /failOpen/,
  );
  assert.throws(
    () =>
      securityStages({
        store: new MemoryResourceStore(),
        redis,
        invoker,
        authorizer: { jwtLeewaySeconds: 9999 },
      }),
    /jwtLeewaySeconds/,
  );
});

test("requests on routes without auth or limits pass all three stages untouched", async () => {
  const stages = securityStages({ store: new MemoryResourceStore(), redis, invoker });
  const request = {
    id: "r",
    method: "GET",
    rawPath: "/",
    rawQuery: "",
    headers: {},
    host: "h",
    sourceIp: "1.2.3.4",
    receivedAt: 0,
    route: {
      routeKey: "$default",
      resourcePath: "/",
      pathParameters: {},
      function: { namespace: "d", name: "f" },
      payloadFormatVersion: "2.0" as const,
    },
    identity: {},
  };
  for (const stage of [stages.authorizer, stages.apiKey, stages.rateLimit]) await stage(request);
  assert.deepEqual(request.identity, {});
  stages.close();
});
