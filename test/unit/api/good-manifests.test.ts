// Every good fixture and every example validates, references included, so the examples cannot rot.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { formatValidationError } from "../../../api/validate.js";
import { checkFiles, FIXTURES, readText, yamlFiles } from "./manifest-fixtures.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples", import.meta.url));

for (const path of yamlFiles(join(FIXTURES, "good"))) {
  test(`good manifest ${basename(path)}`, () => {
    const errors = checkFiles([{ path, text: readText(path) }], { requireReferences: true });
    assert.deepEqual(errors.map(formatValidationError), []);
  });
}

// `npm start` runs `kappa dev --dir examples`, which loads every manifest under examples/ as one set: it must be
// complete (references resolve) and valid. No examples yet is fine.
const exampleFiles = existsSync(EXAMPLES) ? yamlFiles(EXAMPLES).filter((f) => !/node_modules/.test(f)) : [];

test(`examples/ (${exampleFiles.length} YAML files) validate as one set`, () => {
  const files = exampleFiles.map((path) => ({ path: relative(EXAMPLES, path), text: readText(path) }));
  const errors = checkFiles(files, { requireReferences: true });
  assert.deepEqual(errors.map(formatValidationError), []);
});
