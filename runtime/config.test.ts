import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig: KAPPA_NODE_HOST", () => {
  it("defaults to the in-process host worker and accepts the Runtime API opt-out", () => {
    assert.equal(loadConfig({}).nodeHost, "in-process");
    assert.equal(loadConfig({ KAPPA_NODE_HOST: "runtime-api" }).nodeHost, "runtime-api");
  });

  it("refuses anything else, naming the variable and its values", () => {
    assert.throws(
      () => loadConfig({ KAPPA_NODE_HOST: "threads" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message === 'KAPPA_NODE_HOST must be in-process or runtime-api, got "threads"',
    );
  });
});
