// docs/resources.md's field tables are the ones the schemas generate: change a schema, run
// `npx tsx api/generate-docs.ts`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { fillFieldTables } from "../../../api/field-docs.js";
import { Kinds } from "../../../api/resources/kinds.js";

const doc = readFileSync(fileURLToPath(new URL("../../../docs/resources.md", import.meta.url)), "utf8");

test("docs/resources.md field tables match the schemas", () => {
  assert.equal(doc, fillFieldTables(doc), "run npx tsx api/generate-docs.ts");
});

test("docs/resources.md documents every kind", () => {
  for (const { kind } of Kinds) {
    assert.ok(doc.includes(`<!-- fields:${kind} -->`), `no field table for ${kind}`);
    assert.ok(doc.includes(`## ${kind}\n`), `no section for ${kind}`);
  }
});
