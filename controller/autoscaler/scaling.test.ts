// Table tests of the pure scaling decision with explicit time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { InflightReport } from "../../api/instances.js";
import {
  DEFAULT_SCALING_CONFIG as config,
  desiredInstances,
  initialScalingState,
  observe,
  observeDemand,
  sampleReports,
  type ScalingSpec,
  type ScalingState,
} from "./scaling.js";

const spec = (over: Partial<ScalingSpec> = {}): ScalingSpec => ({
  minInstances: 0,
  maxInstances: 10,
  idleSeconds: 300,
  perInstance: 1,
  ...over,
});

/** Feeds one sample per second of `inflight` from t=0 to t=seconds-1 (all active when inflight > 0). */
function steady(
  inflight: number,
  seconds: number,
  start = 0,
  state: ScalingState = initialScalingState(),
): ScalingState {
  let s = state;
  for (let t = 0; t < seconds; t++) s = observe(s, { at: start + t * 1000, inflight }, inflight > 0, config);
  return s;
}

describe("desiredInstances", () => {
  const cases: {
    name: string;
    spec: ScalingSpec;
    state: ScalingState;
    now: number;
    want: number;
    reason: string;
  }[] = [
    {
      name: "nothing ever happened: zero",
      spec: spec(),
      state: initialScalingState(),
      now: 0,
      want: 0,
      reason: "idle",
    },
    {
      name: "minInstances keeps warm while idle",
      spec: spec({ minInstances: 2 }),
      state: initialScalingState(),
      now: 0,
      want: 2,
      reason: "min",
    },
    {
      name: "steady 4 in flight, 1 per instance",
      spec: spec(),
      state: { ...steady(4, 60), desired: 4 },
      now: 59_000,
      want: 4,
      reason: "stable",
    },
    {
      name: "steady 4 in flight, 3 per instance: ceil",
      spec: spec({ perInstance: 3 }),
      state: { ...steady(4, 60), desired: 2 },
      now: 59_000,
      want: 2,
      reason: "stable",
    },
    {
      name: "from zero straight to 4: a burst (panic)",
      spec: spec(),
      state: steady(4, 60),
      now: 59_000,
      want: 4,
      reason: "panic",
    },
    {
      name: "capped by maxInstances",
      spec: spec({ maxInstances: 3 }),
      state: steady(8, 60),
      now: 59_000,
      want: 3,
      reason: "max",
    },
    {
      name: "capped by reserved / perInstance",
      spec: spec({ reserved: 5, perInstance: 2 }),
      state: steady(20, 60),
      now: 59_000,
      want: 3,
      reason: "reserved",
    },
    {
      name: "traffic stopped but within idleSeconds: keep one",
      spec: spec({ idleSeconds: 300 }),
      state: steady(0, 60, 61_000, steady(2, 60)),
      now: 120_000,
      want: 1,
      reason: "keep-warm",
    },
    {
      name: "idle for idleSeconds: zero",
      spec: spec({ idleSeconds: 30 }),
      state: steady(0, 60, 61_000, steady(2, 60)),
      now: 120_000,
      want: 0,
      reason: "idle",
    },
    {
      name: "idle but minInstances",
      spec: spec({ idleSeconds: 30, minInstances: 1 }),
      state: steady(0, 60, 61_000, steady(2, 60)),
      now: 120_000,
      want: 1,
      reason: "min",
    },
    {
      name: "demand from zero: scale now",
      spec: spec(),
      state: observeDemand(initialScalingState(), 1, 5_000),
      now: 5_000,
      want: 1,
      reason: "demand",
    },
    {
      name: "demand for 5 held requests, 2 per instance",
      spec: spec({ perInstance: 2 }),
      state: observeDemand(initialScalingState(), 5, 0),
      now: 0,
      want: 3,
      reason: "demand",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = desiredInstances(c.spec, c.state, c.now, config);
      assert.equal(decision.desired, c.want);
      assert.equal(decision.reason, c.reason);
    });
  }

  it("panics on a burst and does not scale down until the panic ends", () => {
    let state = steady(1, 60);
    state = desiredInstances(spec(), state, 59_000, config).state;
    assert.equal(state.desired, 1);
    // a 6 s burst of 10 in flight: the stable average barely moves, the panic window sees it
    for (let t = 60; t < 66; t++) state = observe(state, { at: t * 1000, inflight: 10 }, true, config);
    const burst = desiredInstances(spec(), state, 65_000, config);
    assert.equal(burst.reason, "panic");
    assert.equal(burst.desired, 10);
    // the burst ends; 10 s later panic still holds the count
    state = burst.state;
    for (let t = 66; t < 76; t++) state = observe(state, { at: t * 1000, inflight: 1 }, true, config);
    const held = desiredInstances(spec(), state, 75_000, config);
    assert.equal(held.desired, 10);
    // after the stable window without a new burst, it follows the stable average again
    state = held.state;
    for (let t = 76; t < 140; t++) state = observe(state, { at: t * 1000, inflight: 1 }, true, config);
    const calm = desiredInstances(spec(), state, 139_000, config);
    assert.equal(calm.reason, "stable");
    assert.equal(calm.desired, 1);
  });
});

describe("sampleReports", () => {
  const report = (over: Partial<InflightReport>): InflightReport => ({
    average: 0,
    max: 0,
    requests: 0,
    waiting: 0,
    at: 10_000,
    ...over,
  });
  it("sums gateways and counts held requests", () => {
    const { sample, active } = sampleReports(
      [report({ average: 1.5, max: 2, requests: 3 }), report({ average: 2, waiting: 1 })],
      10_500,
      config,
    );
    assert.equal(sample.inflight, 4.5);
    assert.equal(active, true);
  });
  it("ignores stale reports (a gateway that stopped reporting)", () => {
    const { sample, active } = sampleReports([report({ average: 5, requests: 5, at: 0 })], 10_000, config);
    assert.equal(sample.inflight, 0);
    assert.equal(active, false);
  });
  it("all-zero reports are not traffic", () => {
    assert.equal(sampleReports([report({})], 10_000, config).active, false);
  });
});
