// Table tests of the pure instance plan: scale up, scale down, rolling updates, strays.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planInstances, type PlannedInstance } from "./plan.js";

const ready = (id: string, revision: string, readySince = 0): PlannedInstance => ({
  id,
  revision,
  phase: "ready",
  readySince,
});
const none = new Set<string>();

describe("planInstances", () => {
  const cases: {
    name: string;
    desired: number;
    instances: PlannedInstance[];
    launching?: number;
    launchingIds?: Set<string>;
    start: number;
    stop: string[];
    serving: string[];
  }[] = [
    { name: "zero to one", desired: 1, instances: [], start: 1, stop: [], serving: [] },
    {
      name: "steady",
      desired: 2,
      instances: [ready("a", "r1"), ready("b", "r1")],
      start: 0,
      stop: [],
      serving: ["a", "b"],
    },
    {
      name: "launch in progress counts",
      desired: 2,
      instances: [ready("a", "r1")],
      launching: 1,
      start: 0,
      stop: [],
      serving: ["a"],
    },
    {
      name: "scale down stops the newest",
      desired: 1,
      instances: [ready("a", "r1", 1), ready("b", "r1", 2)],
      start: 0,
      stop: ["b"],
      serving: ["a"],
    },
    { name: "scale to zero", desired: 0, instances: [ready("a", "r1")], start: 0, stop: ["a"], serving: [] },
    {
      name: "roll: old serves while new starts",
      desired: 1,
      instances: [ready("old", "r0")],
      start: 1,
      stop: [],
      serving: ["old"],
    },
    {
      name: "roll: old serves while new launches",
      desired: 1,
      instances: [ready("old", "r0")],
      launching: 1,
      start: 0,
      stop: [],
      serving: ["old"],
    },
    {
      name: "roll: new ready retires old",
      desired: 1,
      instances: [ready("old", "r0"), ready("new", "r1")],
      start: 0,
      stop: ["old"],
      serving: ["new"],
    },
    {
      name: "roll at zero: old goes at once",
      desired: 0,
      instances: [ready("old", "r0")],
      start: 0,
      stop: ["old"],
      serving: [],
    },
    {
      name: "stray non-ready instance is stopped, a launching one is not",
      desired: 1,
      instances: [
        { id: "stray", revision: "r1", phase: "started" },
        { id: "mine", revision: "r1", phase: "started" },
      ],
      launching: 1,
      launchingIds: new Set(["mine"]),
      start: 0,
      stop: ["stray"],
      serving: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planInstances({
        desired: c.desired,
        revision: "r1",
        instances: c.instances,
        launching: c.launching ?? 0,
        launchingIds: c.launchingIds ?? none,
      });
      assert.equal(plan.start, c.start);
      assert.deepEqual([...plan.stop].sort(), [...c.stop].sort());
      assert.deepEqual(plan.serving.map((s) => s.id).sort(), [...c.serving].sort());
    });
  }
});
