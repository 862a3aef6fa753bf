import assert from "node:assert/strict";
import { test } from "node:test";
import type { Route } from "../../api/index.js";
import { RouteTable } from "./route-table.js";

const route = (name: string, spec: Partial<Route["spec"]>, namespace = "default"): Route =>
  ({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Route",
    metadata: { namespace, name },
    spec: { function: { name: `fn-${name}` }, ...spec },
  }) as Route;

const table = RouteTable.build([
  route("root", { path: "/" }),
  route("pets", { path: "/pets", methods: ["GET"] }),
  route("pets-any", { path: "/pets" }),
  route("pet", { path: "/pets/{id}" }),
  route("pet-toys", { path: "/pets/{id}/toys" }),
  route("pet-special", { path: "/pets/special" }),
  route("files", { path: "/files/{proxy+}" }),
  route("catch-all", { path: "/{proxy+}" }),
  route("host-exact", { path: "/pets", host: "api.example.com" }),
  route("host-wild", { path: "/pets", host: "*.example.com" }),
  route("low", { path: "/tie", priority: 0 }),
  route("high", { path: "/tie", priority: 5 }),
  route("other-ns", { path: "/team", function: { name: "t", namespace: "team-a" } }, "routes"),
]);

const cases: Array<{
  method: string;
  host?: string;
  path: string;
  want?: string;
  params?: Record<string, string>;
}> = [
  { method: "GET", path: "/", want: "root" },
  { method: "GET", path: "/pets", want: "pets" },
  { method: "POST", path: "/pets", want: "pets-any" },
  { method: "GET", path: "/pets/", want: "pets" },
  { method: "GET", path: "/pets/7", want: "pet", params: { id: "7" } },
  { method: "GET", path: "/pets/special", want: "pet-special" },
  { method: "GET", path: "/pets/7/toys", want: "pet-toys", params: { id: "7" } },
  { method: "GET", path: "/pets/a%20b", want: "pet", params: { id: "a b" } },
  { method: "GET", path: "/files/a/b/c.txt", want: "files", params: { proxy: "a/b/c.txt" } },
  { method: "GET", path: "/files", want: "catch-all", params: { proxy: "files" } },
  { method: "GET", path: "/anything/else", want: "catch-all", params: { proxy: "anything/else" } },
  { method: "GET", host: "api.example.com", path: "/pets", want: "host-exact" },
  { method: "GET", host: "API.example.com:8080", path: "/pets", want: "host-exact" },
  { method: "GET", host: "www.example.com", path: "/pets", want: "host-wild" },
  { method: "GET", host: "example.com", path: "/pets", want: "pets" },
  { method: "GET", path: "/tie", want: "high" },
  { method: "GET", path: "/pets/%zz", want: undefined },
];

for (const c of cases) {
  test(`${c.method} ${c.host ?? ""}${c.path} -> ${c.want ?? "no route"}`, () => {
    const match = table.match(c.method, c.host ?? "localhost", c.path);
    assert.equal(match?.route.routeRef?.name, c.want);
    if (c.params) assert.deepEqual(match?.route.pathParameters, c.params);
  });
}

test("the route key names the matched method and the pattern", () => {
  assert.equal(table.match("GET", "h", "/pets/1")?.route.routeKey, "ANY /pets/{id}");
  assert.equal(table.match("GET", "h", "/pets")?.route.routeKey, "GET /pets");
});

test("a route's function defaults to the route's namespace and may name another", () => {
  assert.deepEqual(table.match("GET", "h", "/pets/1")?.route.function, {
    namespace: "default",
    name: "fn-pet",
  });
  assert.deepEqual(table.match("GET", "h", "/team")?.route.function, { namespace: "team-a", name: "t" });
});

test("without a catch-all nothing matches an unknown path", () => {
  const small = RouteTable.build([route("a", { path: "/a" })]);
  assert.equal(small.match("GET", "h", "/b"), undefined);
  assert.equal(small.match("GET", "h", "/a/b"), undefined);
});

test("a bad pattern is reported and skipped, the rest still routes", () => {
  const mixed = RouteTable.build([route("bad", { path: "/{a+}/x" }), route("good", { path: "/ok" })]);
  assert.equal(mixed.problems.length, 1);
  assert.match(mixed.problems[0]!.message, /greedy/);
  assert.equal(mixed.match("GET", "h", "/ok")?.route.routeRef?.name, "good");
});

const edgeTable = RouteTable.build([
  route("root", { path: "/" }),
  route("pets", { path: "/pets", methods: ["GET", "ANY"] }),
  route("encoded", { path: "/x/a%2Fb" }),
  route("double", { path: "/d//e" }),
  route("catch-all", { path: "/{proxy+}" }),
]);
const edgeCases: Array<{ method?: string; path: string; want?: string; params?: Record<string, string> }> = [
  { path: "/pet%73", want: "pets" },
  { path: "/pets/", want: "pets" },
  { path: "/pets//", want: "catch-all", params: { proxy: "pets/" } },
  { path: "//pets", want: "catch-all", params: { proxy: "/pets" } },
  { path: "//", want: undefined },
  { path: "/", want: "root" },
  { path: "/x/a%2Fb", want: "encoded" },
  { path: "/x/a%2fb", want: "encoded" },
  { path: "/x/a/b", want: "catch-all", params: { proxy: "x/a/b" } },
  { path: "/d//e", want: "double" },
  { path: "/d//e/", want: "double" },
  { path: "/d/e", want: "catch-all", params: { proxy: "d/e" } },
  { path: "*", want: "catch-all", params: { proxy: "*" } },
];
for (const c of edgeCases) {
  test(`edge: ${c.path} -> ${c.want ?? "no route"}`, () => {
    const match = edgeTable.match(c.method ?? "GET", "h", c.path);
    assert.equal(match?.route.routeRef?.name, c.want);
    assert.deepEqual(match?.route.pathParameters, c.want ? (c.params ?? {}) : undefined);
  });
}

test("a route without path parameters answers every request with one frozen match", () => {
  const first = edgeTable.match("GET", "h", "/pets")!;
  assert.equal(edgeTable.match("GET", "h", "/pets/"), first);
  assert.equal(edgeTable.match("GET", "h", "/pet%73"), first);
  assert.equal(first.route.routeKey, "GET /pets");
  assert.equal(edgeTable.match("POST", "h", "/pets")?.route.routeKey, "ANY /pets");
  assert.equal(edgeTable.matchAnyMethod("h", "/pets")?.route.routeKey, "ANY /pets");
  assert.equal(first.async, false);
  for (const shared of [first, first.route, first.route.pathParameters, first.route.function]) {
    assert.ok(Object.isFrozen(shared));
  }
  assert.throws(() => {
    first.route.pathParameters.id = "1";
  }, TypeError);
});

test("a route with path parameters gives each request its own parameters", () => {
  const a = table.match("GET", "h", "/pets/1")!;
  const b = table.match("GET", "h", "/pets/2")!;
  assert.notEqual(a.route, b.route);
  assert.deepEqual(a.route.pathParameters, { id: "1" });
  assert.deepEqual(b.route.pathParameters, { id: "2" });
  assert.equal(a.route.function, b.route.function);
});
