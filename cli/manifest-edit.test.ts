import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { removeDocument } from "./manifest-edit.js";

describe("removeDocument", () => {
  it("removes one document, keeps the others and their comments, and the file goes with the last one", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kappa-edit-")), "two.yaml");
    writeFileSync(
      file,
      "# keep me\nkind: Function\nmetadata: { name: a }\n---\nkind: Route\nmetadata: { name: a }\n",
    );
    assert.equal(
      removeDocument(file, { kind: "Function", namespace: "default", name: "a" }),
      "removed-document",
    );
    const left = readFileSync(file, "utf8");
    assert.match(left, /kind: Route/);
    assert.doesNotMatch(left, /kind: Function/);
    assert.equal(removeDocument(file, { kind: "Function", namespace: "default", name: "a" }), "not-found");
    assert.equal(removeDocument(file, { kind: "Route", namespace: "default", name: "a" }), "removed-file");
    assert.equal(existsSync(file), false);
  });
});
