import assert from "node:assert/strict";
import { test } from "node:test";
import type { Route } from "../../api/index.js";
import { MemoryResourceStore } from "../../api/store.js";
import { isHttpError } from "../http/http-error.js";
import { Router } from "./router.js";

const routeResource = (path: string, fn: string): Route =>
  ({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Route",
    metadata: { namespace: "default", name: "r" },
    spec: { path, function: { name: fn } },
  }) as Route;

const status = (error: unknown) => (isHttpError(error) ? error.status : undefined);

test("a function path resolves to one frozen answer, the async path to its own", () => {
  const router = new Router(new MemoryResourceStore());
  const first = router.resolve("POST", "h", "/function/team-a/fn-1");
  assert.deepEqual(first, {
    route: {
      routeKey: "ANY /function/team-a/fn-1",
      resourcePath: "/function/team-a/fn-1",
      pathParameters: {},
      function: { namespace: "team-a", name: "fn-1" },
      payloadFormatVersion: "2.0",
    },
    async: false,
  });
  assert.equal(router.resolve("GET", "h", "/function/team-a/fn-1"), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.route));
  assert.ok(Object.isFrozen(first.route.function) && Object.isFrozen(first.route.pathParameters));
  assert.throws(() => {
    first.route.routeKey = "x";
  }, TypeError);

  const queued = router.resolve("POST", "h", "/async/function/team-a/fn-1");
  assert.equal(queued.async, true);
  assert.deepEqual(queued.route, first.route);
  assert.equal(router.resolve("POST", "h", "/async/function/team-a/fn-1"), queued);
  assert.throws(
    () => router.resolve("GET", "h", "/async/function/team-a/fn-1"),
    (e) => status(e) === 405,
  );
  router.close();
});

test("a function path with a rest gets its own proxy parameter per request", () => {
  const router = new Router(new MemoryResourceStore());
  const a = router.resolve("GET", "h", "/function/ns/fn/a%20b/c");
  const b = router.resolve("GET", "h", "/function/ns/fn/d");
  assert.equal(a.route.routeKey, "ANY /function/ns/fn/{proxy+}");
  assert.equal(a.route.resourcePath, "/function/ns/fn/{proxy+}");
  assert.deepEqual(a.route.pathParameters, { proxy: "a b/c" });
  assert.deepEqual(b.route.pathParameters, { proxy: "d" });
  router.close();
});

test("a bad function path is refused every time, and many paths still resolve right", () => {
  const router = new Router(new MemoryResourceStore());
  for (let i = 0; i < 2; i++) {
    assert.throws(
      () => router.resolve("GET", "h", "/function/default/../admin"),
      (e) => status(e) === 400,
    );
  }
  // past the cache's bound it starts over; answers stay right
  for (let i = 0; i < 2100; i++) {
    const resolved = router.resolve("GET", "h", `/function/ns/fn-${i % 1500}`);
    assert.equal(resolved.route.function.name, `fn-${i % 1500}`);
  }
  router.close();
});

test("a changed Route is seen on the next request, a deleted one is gone", () => {
  const store = new MemoryResourceStore();
  const router = new Router(store);
  store.upsert(routeResource("/a", "one"));
  const before = router.resolve("GET", "h", "/a");
  assert.equal(before.route.function.name, "one");
  assert.equal(router.resolve("GET", "h", "/a"), before);
  store.upsert(routeResource("/a", "two"));
  assert.equal(router.resolve("GET", "h", "/a").route.function.name, "two");
  store.upsert(routeResource("/b", "two"));
  assert.throws(
    () => router.resolve("GET", "h", "/a"),
    (e) => status(e) === 404,
  );
  store.delete("Route", "default", "r");
  assert.throws(
    () => router.resolve("GET", "h", "/b"),
    (e) => status(e) === 404,
  );
  router.close();
});
