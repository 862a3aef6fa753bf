// Every file in test/fixtures/manifests/bad is rejected, with exactly the errors its "# expect:" lines name.
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { test } from "node:test";
import { formatValidationError } from "../../../api/validate.js";
import { checkFiles, FIXTURES, readText, yamlFiles } from "./manifest-fixtures.js";

const files = yamlFiles(join(FIXTURES, "bad"));

test("there are at least 40 bad manifests", () => {
  assert.ok(files.length >= 40, `only ${files.length} bad manifests`);
});

for (const path of files) {
  test(`bad manifest ${basename(path)}`, () => {
    const text = readText(path);
    const expects = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
    const checks = [...text.matchAll(/^# check: (.+)$/gm)].map((m) => m[1]!.trim());
    assert.ok(expects.length > 0, `${basename(path)} has no "# expect:" line`);
    const errors = checkFiles([{ path, text }], {
      cluster: checks.includes("cluster"),
      requireReferences: checks.includes("set"),
    });
    const shown = errors.map(formatValidationError);
    for (const expected of expects) {
      assert.ok(
        errors.some(
          (e) =>
            `${e.path}: ${e.message}`.includes(expected) || (e.path === "" && e.message.includes(expected)),
        ),
        `expected an error containing\n  ${expected}\ngot\n  ${shown.join("\n  ") || "(none)"}`,
      );
    }
    for (const [i, error] of errors.entries()) {
      const line = `${error.path}: ${error.message}`;
      assert.ok(
        expects.some(
          (expected) => line.includes(expected) || (error.path === "" && error.message.includes(expected)),
        ),
        `unexpected error ${shown[i]}`,
      );
      // every error names the file, and the resource when the document got that far
      assert.ok(shown[i]!.includes(path), `error does not name the file: ${shown[i]}`);
      if (error.kind) assert.ok(shown[i]!.startsWith(error.kind), shown[i]);
      assert.doesNotMatch(error.message, /\bat .*\.ts:\d+/, "a stack trace leaked into a message");
    }
  });
}
