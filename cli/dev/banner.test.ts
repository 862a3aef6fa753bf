// The `kappa dev` banner lists a function's /function/... URL only where it answers: a function that a Route
// guards (API key, authorizer, scopes or a rate limit) is reached through its Routes only.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { StoredResource } from "../../api/store.js";
import { styleFor } from "../output/style.js";
import { renderBanner } from "./banner.js";
import type { DevState } from "./state-file.js";

const state = {
  httpUrl: "http://127.0.0.1:8080",
  apiUrl: "http://127.0.0.1:8081",
  accessKeyId: "AKID",
  secretAccessKey: "secret",
  region: "local",
} as DevState;

const fn = (name: string): StoredResource => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "Function",
  metadata: { namespace: "default", name },
  spec: {},
});
const route = (name: string, spec: Record<string, unknown>): StoredResource => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "Route",
  metadata: { namespace: "default", name },
  spec: { path: `/${name}`, ...spec },
});

test("guarded functions are listed as reached through their Routes, the others with their URL", () => {
  const resources = [
    fn("open"),
    fn("plain-route"),
    fn("keyed"),
    fn("limited"),
    fn("authorized"),
    route("plain-route", { function: { name: "plain-route" }, auth: { apiKeyRequired: false } }),
    route("keyed", { function: { name: "keyed" }, auth: { apiKeyRequired: true } }),
    route("limited", { function: { name: "limited" }, rateLimit: { perSecond: 1, burst: 1 } }),
    route("authorized", { function: { name: "authorized" }, auth: { authorizer: "jwt" } }),
  ];
  const store = { list: (kind: string) => resources.filter((r) => r.kind === kind) };
  const text = renderBanner(state, store, styleFor(new PassThrough()), "examples");
  const line = (name: string) => text.split("\n").find((l) => l.startsWith(`  default/${name} `)) ?? "";
  for (const name of ["open", "plain-route"])
    assert.match(line(name), new RegExp(`http://127\\.0\\.0\\.1:8080/function/default/${name}$`));
  for (const name of ["keyed", "limited", "authorized"]) {
    assert.doesNotMatch(line(name), /\/function\//);
    assert.match(line(name), /through its Routes only/);
  }
});
