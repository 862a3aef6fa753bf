// The gateway's environment: worker count, V8 flags, and bad values named with their fix.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { ConfigError, loadConfig, parseV8Flags } from "./config.js";

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

test("KAPPA_GATEWAY_V8_FLAGS defaults to the measured flags, takes flags separated by spaces, and none", () => {
  assert.deepEqual(loadConfig(base).v8Flags, [
    "--single-threaded-gc",
    "--max-inlined-bytecode-size-cumulative=2760",
  ]);
  assert.deepEqual(loadConfig({ ...base, KAPPA_GATEWAY_V8_FLAGS: "  " }).v8Flags, loadConfig(base).v8Flags);
  assert.deepEqual(loadConfig({ ...base, KAPPA_GATEWAY_V8_FLAGS: "none" }).v8Flags, []);
  assert.deepEqual(
    loadConfig({ ...base, KAPPA_GATEWAY_V8_FLAGS: " --single-threaded-gc   --stack-size=2000 " }).v8Flags,
    ["--single-threaded-gc", "--stack-size=2000"],
  );
});

test("a bad KAPPA_GATEWAY_V8_FLAGS is a ConfigError naming the variable and the flag", () => {
  for (const flag of ["single-threaded-gc", "--x;rm", "--a=$(b)", "-x", "--"]) {
    assert.throws(
      () => loadConfig({ ...base, KAPPA_GATEWAY_V8_FLAGS: `--single-threaded-gc ${flag}` }),
      (error) =>
        error instanceof ConfigError &&
        error.message.startsWith("KAPPA_GATEWAY_V8_FLAGS") &&
        error.message.includes(`"${flag}"`),
    );
  }
  assert.throws(
    () => loadConfig({ ...base, KAPPA_GATEWAY_V8_FLAGS: "--max_semi_space_size=8" }),
    (error) => error instanceof ConfigError && /KAPPA_GATEWAY_SEMI_SPACE_MB/.test(error.message),
  );
});

test("parseV8Flags names the variable it reads for (the A/B bench's own)", () => {
  assert.deepEqual(parseV8Flags("--single-threaded-gc", "AB_NEW_V8_FLAGS"), ["--single-threaded-gc"]);
  assert.throws(
    () => parseV8Flags("single-threaded-gc", "AB_NEW_V8_FLAGS"),
    (error) => error instanceof ConfigError && error.message.startsWith("AB_NEW_V8_FLAGS:"),
  );
});
