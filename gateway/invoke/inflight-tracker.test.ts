import assert from "node:assert/strict";
import { test } from "node:test";
import { InflightTracker } from "./inflight-tracker.js";

test("reports a time-weighted average, the peak, requests started and requests held", () => {
  const clock = { t: 1_000 };
  const tracker = new InflightTracker({ now: () => clock.t });
  tracker.start("ns/fn"); // 1 in flight from t=1000
  clock.t = 1_500;
  tracker.start("ns/fn"); // 2 in flight from t=1500
  clock.t = 2_000;
  const report = tracker.collect(() => 3).get("ns/fn")!;
  assert.equal(report.average, 1.5); // 1 for 500 ms, 2 for 500 ms
  assert.equal(report.max, 2);
  assert.equal(report.requests, 2);
  assert.equal(report.waiting, 3);
  assert.equal(report.at, 2_000);
});

test("an idle function gets one last zero report and is then forgotten", () => {
  const clock = { t: 0 };
  const tracker = new InflightTracker({ now: () => clock.t });
  tracker.start("a/b");
  clock.t = 100;
  tracker.end("a/b");
  clock.t = 1_000;
  assert.equal(tracker.collect(() => 0).get("a/b")!.requests, 1);
  clock.t = 2_000;
  const last = tracker.collect(() => 0).get("a/b")!;
  assert.deepEqual(
    { average: last.average, max: last.max, requests: last.requests },
    { average: 0, max: 0, requests: 0 },
  );
  clock.t = 3_000;
  assert.equal(tracker.collect(() => 0).has("a/b"), false);
});
