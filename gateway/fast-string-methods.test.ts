// String.prototype's property mode, seen through V8's own %HasFastProperties in a fresh process (natives syntax is
// a process flag, and the mode depends on what the process did before).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const moduleUrl = new URL("./fast-string-methods.ts", import.meta.url).href;

function runWithNatives(script: string): Record<string, boolean> {
  const child = spawnSync(
    process.execPath,
    ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname },
  );
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Record<string, boolean>;
}

test("ioredis leaves String.prototype in dictionary mode; the gateway's restore makes it fast for good", () => {
  const modes = runWithNatives(`
    const fast = () => %HasFastProperties(String.prototype);
    const before = fast();
    await import("ioredis");
    const afterIoredis = fast();
    const { restoreFastStringPrototype } = await import(${JSON.stringify(moduleUrl)});
    restoreFastStringPrototype();
    const restored = fast();
    class Later extends String {}
    console.log(JSON.stringify({ before, afterIoredis, restored, afterLaterSubclass: fast(), used: new Later("x").length === 1 }));
  `);
  assert.deepEqual(modes, {
    before: true,
    afterIoredis: false,
    restored: true,
    afterLaterSubclass: true,
    used: true,
  });
});

test("the gateway restores it when it starts", () => {
  // startGateway must call the restore before its first request, whatever was imported before it.
  const modes = runWithNatives(`
    await import("ioredis");
    const slowBefore = !%HasFastProperties(String.prototype);
    const { startGateway } = await import(${JSON.stringify(new URL("./server.ts", import.meta.url).href)});
    await startGateway({}).catch(() => undefined);
    console.log(JSON.stringify({ slowBefore, fastAfter: %HasFastProperties(String.prototype) }));
  `);
  assert.deepEqual(modes, { slowBefore: true, fastAfter: true });
});
