// The gateway's environment: the worker count (node:cluster) and that bad values name the variable and the fix.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.js";

const base = { KAPPA_REDIS_URL: "redis://127.0.0.1:6379" };

test("KAPPA_GATEWAY_WORKERS defaults to the CPUs and takes a whole number", () => {
  assert.equal(loadConfig(base).workers, availableParallelism());
  assert.equal(loadConfig({ ...base, KAPPA_GATEWAY_WORKERS: "1" }).workers, 1);
  assert.equal(loadConfig({ ...base, KAPPA_GATEWAY_WORKERS: "4" }).workers, 4);
});

test("a bad KAPPA_GATEWAY_WORKERS is a ConfigError naming the variable", () => {
  for (const value of ["0", "-1", "1.5", "many", "1000"]) {
    assert.throws(
      () => loadConfig({ ...base, KAPPA_GATEWAY_WORKERS: value }),
      (error) => error instanceof ConfigError && /KAPPA_GATEWAY_WORKERS/.test(error.message),
    );
  }
});

test("KAPPA_GATEWAY_SEMI_SPACE_MB defaults to 4 MB, takes 0 (V8's default) and whole megabytes", () => {
  assert.equal(loadConfig(base).semiSpaceMb, 4);
  assert.equal(loadConfig({ ...base, KAPPA_GATEWAY_SEMI_SPACE_MB: "0" }).semiSpaceMb, 0);
  assert.equal(loadConfig({ ...base, KAPPA_GATEWAY_SEMI_SPACE_MB: "16" }).semiSpaceMb, 16);
});

test("a bad KAPPA_GATEWAY_SEMI_SPACE_MB is a ConfigError naming the variable", () => {
  for (const value of ["-1", "2.5", "big", "4096"]) {
    assert.throws(
      () => loadConfig({ ...base, KAPPA_GATEWAY_SEMI_SPACE_MB: value }),
      (error) => error instanceof ConfigError && /KAPPA_GATEWAY_SEMI_SPACE_MB/.test(error.message),
    );
  }
});
