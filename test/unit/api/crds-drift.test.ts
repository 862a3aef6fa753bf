// The CRDs in charts/kappa/crds are exactly what api/resources generates: change a schema, run `npm run crds`.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { renderAllCrds } from "../../../api/crds.js";

const CRD_DIR = fileURLToPath(new URL("../../../charts/kappa/crds", import.meta.url));

test("every generated CRD is on disk, unchanged", () => {
  for (const [name, text] of renderAllCrds()) {
    let onDisk: string;
    try {
      onDisk = readFileSync(join(CRD_DIR, name), "utf8");
    } catch {
      assert.fail(`charts/kappa/crds/${name} is missing: run npm run crds`);
    }
    assert.equal(onDisk, text, `charts/kappa/crds/${name} differs from api/resources: run npm run crds`);
  }
});

test("no stale CRD files are left in the chart", () => {
  const expected = new Set(renderAllCrds().keys());
  const stale = readdirSync(CRD_DIR).filter((f) => f.endsWith(".kappa.dev.yaml") && !expected.has(f));
  assert.deepEqual(stale, [], "run npm run crds to remove them");
});
