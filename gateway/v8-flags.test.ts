// The V8 flags a gateway process gets: the configured ones replace earlier settings of the same flags, this Node
// starts with them, and they take effect.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import {
  DEFAULT_V8_OPTIONS,
  flagsNotInEffect,
  gatewayExecArgv,
  gatewayFlags,
  refusedFlags,
} from "./v8-flags.js";

const options = (semiSpaceMb: number, v8Flags: string[] = []) => ({ semiSpaceMb, v8Flags });

test("the semi-space flag is added, replaces an earlier one in either spelling, and 0 leaves V8's own", () => {
  assert.deepEqual(gatewayExecArgv(["--enable-source-maps"], options(4)), [
    "--enable-source-maps",
    "--max-semi-space-size=4",
  ]);
  assert.deepEqual(gatewayExecArgv(["--max-semi-space-size=16", "--inspect"], options(8)), [
    "--inspect",
    "--max-semi-space-size=8",
  ]);
  assert.deepEqual(gatewayExecArgv(["--max-semi-space-size", "--x"], options(0)), ["--x"]);
});

test("the V8 flags go before the semi-space and replace earlier settings of the same flags, _ or -", () => {
  const flags = ["--single-threaded-gc", "--max-inlined-bytecode-size-cumulative=2760"];
  assert.deepEqual(
    gatewayExecArgv(
      ["--single_threaded_gc", "--max-inlined-bytecode-size-cumulative=100", "--import", "tsx"],
      options(4, flags),
    ),
    ["--import", "tsx", ...flags, "--max-semi-space-size=4"],
  );
  assert.deepEqual(gatewayFlags(options(0, flags)), flags);
});

test("the flags a process was started without are named; NODE_OPTIONS counts for the semi-space only", () => {
  const wanted = options(4, ["--single-threaded-gc"]);
  assert.deepEqual(flagsNotInEffect(wanted, [], ""), ["--single-threaded-gc", "--max-semi-space-size=4"]);
  assert.deepEqual(flagsNotInEffect(wanted, ["--single_threaded_gc"], "--max-semi-space-size=2"), []);
  assert.deepEqual(flagsNotInEffect(wanted, ["--max-semi-space-size=4"], "--single-threaded-gc"), [
    "--single-threaded-gc",
  ]);
});

test("this Node starts with the default flags and refuses a bad one in its own words", () => {
  assert.equal(refusedFlags(DEFAULT_V8_OPTIONS), undefined);
  assert.match(refusedFlags(options(4, ["--no-such-v8-flag"])) ?? "", /bad option: --no-such-v8-flag/);
});

test("a process started with the flags has the young generation they ask for", () => {
  // V8 sizes the young generation when the process starts; the new space's capacity shows what it took.
  const newSpaceMb = (semiSpaceMb: number) => {
    const script =
      "let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 300000) keep = []; }" +
      "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');" +
      "process.stdout.write(String(s.space_size / 1048576));";
    const flags = gatewayExecArgv([], { ...DEFAULT_V8_OPTIONS, semiSpaceMb });
    const run = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return Number(run.stdout);
  };
  const small = newSpaceMb(1);
  const large = newSpaceMb(16);
  assert.ok(small <= 2, `new space with 1 MB semi-spaces: ${small} MB`);
  assert.ok(
    large > small,
    `new space with 16 MB semi-spaces (${large} MB) not above 1 MB ones (${small} MB)`,
  );
});
