// The flags a gateway process gets for its young generation: the configured size replaces any given before.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { gatewayExecArgv } from "./young-generation.js";

test("the semi-space flag is added, replaces an earlier one in either spelling, and 0 leaves V8's own", () => {
  assert.deepEqual(gatewayExecArgv(["--enable-source-maps"], 4), [
    "--enable-source-maps",
    "--max-semi-space-size=4",
  ]);
  assert.deepEqual(gatewayExecArgv(["--max-semi-space-size=16", "--inspect"], 8), [
    "--inspect",
    "--max-semi-space-size=8",
  ]);
  assert.deepEqual(gatewayExecArgv(["--max-semi-space-size", "--x"], 0), ["--x"]);
});

test("a process started with the flags has the young generation they ask for", () => {
  // V8 sizes the young generation when the process starts; the new space's capacity shows what it took.
  const newSpaceMb = (flags: string[]) => {
    const script =
      "let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 300000) keep = []; }" +
      "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');" +
      "process.stdout.write(String(s.space_size / 1048576));";
    const run = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return Number(run.stdout);
  };
  const small = newSpaceMb(gatewayExecArgv([], 1));
  const large = newSpaceMb(gatewayExecArgv([], 16));
  assert.ok(small <= 2, `new space with 1 MB semi-spaces: ${small} MB`);
  assert.ok(
    large > small,
    `new space with 16 MB semi-spaces (${large} MB) not above 1 MB ones (${small} MB)`,
  );
});
