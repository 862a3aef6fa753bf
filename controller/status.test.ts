import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markCondition } from "./status.js";

describe("markCondition", () => {
  it("adds a condition with a transition time", () => {
    const [c] = markCondition(
      undefined,
      { type: "Ready", status: "True", reason: "Ready" },
      Date.UTC(2026, 0, 1),
    );
    assert.equal(c?.lastTransitionTime, "2026-01-01T00:00:00.000Z");
  });
  it("keeps the transition time when the status stays, changes it when it flips", () => {
    const first = markCondition(undefined, { type: "Ready", status: "True", reason: "Ready" }, 1_000);
    const same = markCondition(
      first,
      { type: "Ready", status: "True", reason: "Ready", message: "x" },
      5_000,
    );
    assert.equal(same[0]?.lastTransitionTime, new Date(1_000).toISOString());
    const flipped = markCondition(same, { type: "Ready", status: "False", reason: "InstanceFailed" }, 9_000);
    assert.equal(flipped[0]?.lastTransitionTime, new Date(9_000).toISOString());
    assert.equal(flipped.length, 1);
  });
});
