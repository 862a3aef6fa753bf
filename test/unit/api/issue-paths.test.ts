import assert from "node:assert/strict";
import { test } from "node:test";
import { formatValidationError, joinPath, pointerToPath } from "../../../api/validation/issue.js";

test("JSON pointers become dotted paths, with brackets for indexes and odd keys", () => {
  assert.equal(pointerToPath(""), "");
  assert.equal(pointerToPath("/spec/memoryMiB"), "spec.memoryMiB");
  assert.equal(pointerToPath("/spec/methods/1"), "spec.methods[1]");
  assert.equal(pointerToPath("/spec/code/inline/index.js"), 'spec.code.inline["index.js"]');
  assert.equal(pointerToPath("/spec/code/inline/src~1app.js"), 'spec.code.inline["src/app.js"]');
  assert.equal(pointerToPath("/spec/env/A~0B"), 'spec.env["A~B"]');
});

test("joinPath starts a path and appends fields", () => {
  assert.equal(joinPath("", "spec"), "spec");
  assert.equal(joinPath("spec.env", "GREETING"), "spec.env.GREETING");
  assert.equal(joinPath("spec.env", "1ST"), 'spec.env["1ST"]');
  assert.equal(joinPath("spec.routeThrottles", 0), "spec.routeThrottles[0]");
});

test("a formatted error reads kind namespace/name (file, document): path: message", () => {
  const error = {
    kind: "Queue",
    name: "jobs",
    namespace: "team-a",
    file: "q.yaml",
    document: 1,
    path: "spec.fifo",
    message: "x",
  };
  assert.equal(formatValidationError(error), "Queue team-a/jobs (q.yaml, document 2): spec.fifo: x");
  assert.equal(
    formatValidationError({ kind: "", name: "", path: "", message: "is not valid YAML" }),
    "<no kind> <no name>: is not valid YAML",
  );
});
