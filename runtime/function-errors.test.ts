import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exitError, normalizeRuntimeError, timeoutError } from "./function-errors.js";

describe("function errors", () => {
  it("words timeouts and exits as Lambda does", () => {
    assert.equal(timeoutError("r", 3).errorMessage, "RequestId: r Error: Task timed out after 3.00 seconds");
    assert.equal(
      exitError("r", 2, null).errorMessage,
      "RequestId: r Error: Runtime exited with error: exit status 2",
    );
    assert.equal(
      exitError("r", null, "SIGKILL").errorMessage,
      "RequestId: r Error: Runtime exited with error: signal: killed",
    );
  });
  it("normalizes what runtimes post", () => {
    const ric = normalizeRuntimeError(
      Buffer.from('{"errorType":"Error","errorMessage":"m","trace":["Error: m","at x"]}'),
      undefined,
    );
    assert.deepEqual(ric.stackTrace, ["Error: m", "at x"]);
    assert.equal(ric.errorType, "Error");
    const headerOnly = normalizeRuntimeError(Buffer.from("not json"), "Runtime.Custom");
    assert.deepEqual(headerOnly, { errorType: "Runtime.Custom", errorMessage: "not json" });
    const nothing = normalizeRuntimeError(Buffer.alloc(0), "bad header value!");
    assert.equal(nothing.errorType, "Runtime.Unknown");
  });
});
