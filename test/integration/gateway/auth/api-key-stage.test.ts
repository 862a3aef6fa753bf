// API keys and usage plans end to end through the stage: keys from Secrets (hashed), hot reload from the store,
// usage-plan throttle and quota state in a real Redis, shared by two stages standing for two gateway replicas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { MemoryResourceStore } from "../../../../api/index.js";
import { apiKeyStage } from "../../../../gateway/auth/index.js";
import { uniquePrefix } from "../../../support/redis.js";
import { gatewayRequest, outcome, redisPerFile, resource, secret, status } from "./helpers.js";

const redis = redisPerFile();

const GOOD = "k3y-0123456789abcdefghij";
const OTHER = "other-0123456789abcdefgh";

function setup(plan?: object) {
  const store = new MemoryResourceStore();
  store.upsert(secret("pets-key", { apiKey: GOOD }));
  store.upsert(
    resource("ApiKey", "pets", {
      secretRef: { name: "pets-key", key: "apiKey" },
      usagePlan: plan ? "gold" : undefined,
      enabled: true,
    }),
  );
  if (plan) store.upsert(resource("UsagePlan", "gold", plan));
  let now = Date.parse("2026-11-22T12:00:00.000Z");
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const prefix = uniquePrefix("apikey");
  const replica = () => {
    const client = redis.connect();
    return apiKeyStage({
      store,
      redis: client,
      clock,
      registry: new Registry(),
      prefix,
      failOpen: false,
      redisTimeoutMs: 30_000,
    });
  };
  return { store, clock, replica, prefix };
}

const keyed = (key?: string | string[], route: object = {}) =>
  gatewayRequest({
    headers: key === undefined ? {} : { "x-api-key": key },
    route: { auth: { apiKeyRequired: true }, ...route },
  });

test("good, missing, wrong, disabled and duplicated keys", async () => {
  const { store, replica } = setup();
  const stage = replica();
  const request = keyed(GOOD);
  assert.equal(status(await outcome(stage, request)), "passed");
  assert.deepEqual(request.identity.apiKey, {
    id: "default/pets",
    name: "pets",
    namespace: "default",
    usagePlan: undefined,
  });

  const refused = await outcome(stage, keyed());
  assert.equal(refused?.status, 403);
  assert.equal(refused?.message, "Forbidden");
  assert.equal(refused?.code, "INVALID_API_KEY");
  assert.equal(status(await outcome(stage, keyed(OTHER))), "403 Forbidden");
  assert.equal(status(await outcome(stage, keyed(GOOD.slice(0, -1)))), "403 Forbidden");
  assert.equal(
    status(await outcome(stage, keyed([GOOD, GOOD]))),
    "403 Forbidden",
    "two x-api-key headers are ambiguous",
  );
  assert.equal(status(await outcome(stage, keyed(""))), "403 Forbidden");

  store.upsert(
    resource("ApiKey", "pets", { secretRef: { name: "pets-key", key: "apiKey" }, enabled: false }),
  );
  assert.equal(
    status(await outcome(stage, keyed(GOOD))),
    "403 Forbidden",
    "disabled key, reloaded without restart",
  );
  stage.close();
});

test("routes without apiKeyRequired pass without a key", async () => {
  const { replica } = setup();
  const stage = replica();
  assert.equal(status(await outcome(stage, gatewayRequest())), "passed");
  stage.close();
});

test("rotating the Secret swaps the key without a restart; prehashed and short keys", async () => {
  const { store, replica } = setup();
  const stage = replica();
  store.upsert(secret("pets-key", { apiKey: OTHER + "\n" }));
  assert.equal(status(await outcome(stage, keyed(GOOD))), "403 Forbidden", "old key refused after rotation");
  assert.equal(
    status(await outcome(stage, keyed(OTHER))),
    "passed",
    "new key (trailing newline of the file ignored)",
  );

  const hashed = createHash("sha256").update("prehashed-0123456789abcdef").digest("hex");
  store.upsert(secret("pets-key", { apiKey: `sha256:${hashed}` }));
  assert.equal(
    status(await outcome(stage, keyed("prehashed-0123456789abcdef"))),
    "passed",
    "Secret holding only the hash",
  );
  assert.equal(
    status(await outcome(stage, keyed(`sha256:${hashed}`))),
    "403 Forbidden",
    "the hash itself is not a key",
  );

  store.upsert(secret("pets-key", { apiKey: "short" }));
  assert.equal(
    status(await outcome(stage, keyed("short"))),
    "403 Forbidden",
    "keys under 20 characters are refused",
  );
  stage.close();
});

test("a key only opens routes of its own namespace, and two ApiKeys with one value open nothing", async () => {
  const { store, replica } = setup();
  const stage = replica();
  const elsewhere = keyed(GOOD, {
    routeRef: { namespace: "team-b", name: "pets" },
    function: { namespace: "team-b", name: "pets" },
  });
  assert.equal(status(await outcome(stage, elsewhere)), "403 Forbidden");

  store.upsert(secret("copy", { apiKey: GOOD }));
  store.upsert(resource("ApiKey", "copy", { secretRef: { name: "copy", key: "apiKey" }, enabled: true }));
  assert.equal(status(await outcome(stage, keyed(GOOD))), "403 Forbidden");
  stage.close();
});

test("a key naming a missing UsagePlan is refused", async () => {
  const { store, replica } = setup({ throttle: { rateLimit: 100, burstLimit: 100 } });
  const stage = replica();
  assert.equal(status(await outcome(stage, keyed(GOOD))), "passed");
  store.delete("UsagePlan", "default", "gold");
  assert.equal(status(await outcome(stage, keyed(GOOD))), "403 Forbidden");
  stage.close();
});

test("usage-plan throttle: a burst across two replicas admits burstLimit, then 429 Too Many Requests with Retry-After", async () => {
  const { replica } = setup({ throttle: { rateLimit: 0.001, burstLimit: 10 } });
  const [a, b] = [replica(), replica()];
  const results = await Promise.all(
    Array.from({ length: 60 }, (_, i) => outcome(i % 2 ? a : b, keyed(GOOD))),
  );
  const admitted = results.filter((r) => r === undefined).length;
  assert.ok(admitted >= 10 && admitted <= 11, `admitted ${admitted}, want 10 (+-1)`);
  const refused = results.find((r) => r !== undefined);
  assert.equal(refused?.status, 429);
  assert.equal(refused?.message, "Too Many Requests");
  assert.equal(refused?.code, "THROTTLED");
  assert.match(refused?.options.headers?.["retry-after"] ?? "", /^[1-9][0-9]*$/);
  a.close();
  b.close();
});

test("usage-plan quota: 429 Limit Exceeded until the next UTC day, offset applies to the first period", async () => {
  const { clock, replica } = setup({ quota: { limit: 3, period: "DAY", offset: 1 } });
  const stage = replica();
  const first = [];
  for (let i = 0; i < 3; i++) first.push(status(await outcome(stage, keyed(GOOD))));
  assert.deepEqual(first, ["passed", "passed", "429 Limit Exceeded"]);
  const refused = await outcome(stage, keyed(GOOD));
  assert.equal(refused?.code, "QUOTA_EXCEEDED");
  assert.equal(refused?.options.headers?.["retry-after"], String(12 * 3600), "seconds until 00:00 UTC");

  clock.advance(12 * 3600 * 1000);
  const next = [];
  for (let i = 0; i < 4; i++) next.push(status(await outcome(stage, keyed(GOOD))));
  assert.deepEqual(next, ["passed", "passed", "passed", "429 Limit Exceeded"]);
  stage.close();
});

test("per-route throttle overrides the plan's throttle for that route only", async () => {
  const { replica } = setup({
    throttle: { rateLimit: 0.01, burstLimit: 5 },
    routeThrottles: [{ route: "pets", methods: ["POST"], throttle: { rateLimit: 0.01, burstLimit: 1 } }],
  });
  const stage = replica();
  const post = () =>
    gatewayRequest({
      method: "POST",
      headers: { "x-api-key": GOOD },
      route: { auth: { apiKeyRequired: true } },
    });
  assert.equal(status(await outcome(stage, post())), "passed");
  assert.equal(status(await outcome(stage, post())), "429 Too Many Requests");
  const gets = [];
  for (let i = 0; i < 6; i++) gets.push(status(await outcome(stage, keyed(GOOD))));
  assert.deepEqual(gets, ["passed", "passed", "passed", "passed", "passed", "429 Too Many Requests"]);
  stage.close();
});

test("keys from an authorizer's usageIdentifierKey when the stage uses the AUTHORIZER source", async () => {
  const { store } = setup();
  const client = redis.connect();
  const stage = apiKeyStage({
    store,
    redis: client,
    registry: new Registry(),
    apiKeySource: "AUTHORIZER",
    prefix: uniquePrefix("authz"),
  });
  const request = keyed(OTHER);
  request.identity.authorizer = { usageIdentifierKey: GOOD };
  assert.equal(status(await outcome(stage, request)), "passed");
  assert.equal(
    status(await outcome(stage, keyed(GOOD))),
    "403 Forbidden",
    "the header is ignored with the AUTHORIZER source",
  );
  stage.close();
});

test("bad options are refused when the stage is built, naming the option", () => {
  const store = new MemoryResourceStore();
  assert.throws(() => apiKeyStage({} as never), /option "store" is required/);
  assert.throws(() => apiKeyStage({ store } as never), /option "redis" is required/);
  assert.throws(() => apiKeyStage({ store, redis: {} } as never), /option "redis" must be an ioredis client/);
  assert.throws(
    () => apiKeyStage({ store, redis: new Redis({ lazyConnect: true }), apiKeySource: "QUERY" } as never),
    /apiKeySource/,
  );
});

test("requests on one connection: its remembered key admits only itself, and not after it is disabled or rotated", async () => {
  const { store, replica } = setup();
  const stage = replica();
  const connection = {};
  const on = (key: string) => Object.assign(keyed(key), { connection });
  assert.equal(status(await outcome(stage, on(GOOD))), "passed");
  assert.equal(status(await outcome(stage, on(GOOD))), "passed");
  assert.equal(status(await outcome(stage, on(OTHER))), "403 Forbidden");
  assert.equal(status(await outcome(stage, on(GOOD.slice(0, -1)))), "403 Forbidden");
  assert.equal(status(await outcome(stage, on(GOOD))), "passed");

  store.upsert(
    resource("ApiKey", "pets", { secretRef: { name: "pets-key", key: "apiKey" }, enabled: false }),
  );
  assert.equal(status(await outcome(stage, on(GOOD))), "403 Forbidden", "disabled");
  store.upsert(resource("ApiKey", "pets", { secretRef: { name: "pets-key", key: "apiKey" }, enabled: true }));
  assert.equal(status(await outcome(stage, on(GOOD))), "passed");
  store.upsert(secret("pets-key", { apiKey: `rotated-${GOOD}` }));
  assert.equal(status(await outcome(stage, on(GOOD))), "403 Forbidden", "rotated");
  assert.equal(status(await outcome(stage, on(`rotated-${GOOD}`))), "passed");
});
