// The validator's behaviour beyond the fixtures: defaults, immutability of input, built-in kinds, error shape.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KappaFunction } from "../../../api/resources/function.js";
import type { Queue } from "../../../api/resources/queue.js";
import {
  formatValidationError,
  ManifestError,
  manifestOrigin,
  validateManifest,
  validateManifests,
  withDefaults,
} from "../../../api/validate.js";

const minimalFunction = () => ({
  apiVersion: "kappa.dev/v1alpha1",
  kind: "Function",
  metadata: { name: "hello" },
  spec: { runtime: "nodejs20", handler: "index.handler", code: { inline: { "index.js": "x" } } },
});

test("defaults are applied to a copy, nested ones included", () => {
  const input = minimalFunction();
  const before = structuredClone(input);
  const fn = withDefaults<KappaFunction>(input);
  assert.deepEqual(input, before, "the input is not modified");
  assert.equal(fn.metadata.namespace, "default");
  assert.equal(fn.spec.memoryMiB, 128);
  assert.equal(fn.spec.timeoutSeconds, 30);
  assert.deepEqual(fn.spec.concurrency, { perInstance: 1 });
  assert.deepEqual(fn.spec.scaling, { minInstances: 0, maxInstances: 10, idleSeconds: 300 });
  assert.deepEqual(fn.spec.async, { maxRetries: 2, maxEventAgeSeconds: 21600 });
});

test("a partly given object keeps what was given and gets the rest", () => {
  const input = minimalFunction();
  const fn = withDefaults<KappaFunction>({ ...input, spec: { ...input.spec, scaling: { maxInstances: 3 } } });
  assert.deepEqual(fn.spec.scaling, { minInstances: 0, maxInstances: 3, idleSeconds: 300 });
});

test("queue defaults follow SQS", () => {
  const queue = withDefaults<Queue>({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Queue",
    metadata: { name: "jobs" },
    spec: {},
  });
  assert.equal(queue.spec.visibilityTimeout, 30);
  assert.equal(queue.spec.messageRetentionPeriod, 345600);
  assert.equal(queue.spec.maximumMessageSize, 262144);
  assert.equal(queue.spec.fifo, false);
});

test("withDefaults throws a ManifestError that names resource, field and rule", () => {
  const input = minimalFunction();
  assert.throws(
    () => withDefaults({ ...input, spec: { ...input.spec, memoryMiB: 99 } }, { file: "fns.yaml" }),
    (error: unknown) =>
      error instanceof ManifestError &&
      error.message ===
        "Function default/hello (fns.yaml): spec.memoryMiB: must be between 128 and 10240 MiB (got 99)",
  );
});

test("all errors of a resource are reported at once", () => {
  const input = minimalFunction();
  const result = validateManifest({
    ...input,
    spec: { ...input.spec, memoryMiB: 1, timeoutSeconds: 0, colour: "red" },
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.errors.map((e) => e.path).sort(), [
    "spec.colour",
    "spec.memoryMiB",
    "spec.timeoutSeconds",
  ]);
});

test("non-objects and missing kinds get a plain message, never a crash", () => {
  for (const input of [null, 42, "text", [], {}]) {
    const result = validateManifest(input);
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(result.errors[0]!.message.length > 0);
  }
});

test("plain Secret and ConfigMap manifests are accepted", () => {
  const text = [
    "apiVersion: v1\nkind: Secret\nmetadata: { name: key }\ndata: { apiKey: c2VjcmV0 }",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: code }\ndata: { index.js: 'exports.handler = 1' }",
  ].join("\n---\n");
  const result = validateManifests(text, "plain.yaml");
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.resources.map((r) => r.kind),
    ["Secret", "ConfigMap"],
  );
});

test("a Secret under the Kappa API version is refused with the right one", () => {
  const result = validateManifest({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Secret",
    metadata: { name: "k" },
  });
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.errors[0]!.message, /must be v1 for kind Secret/);
});

test("each resource remembers its file and document; errors say the document", () => {
  const doc = "apiVersion: kappa.dev/v1alpha1\nkind: Queue\nmetadata: { name: a }\nspec: {}";
  const result = validateManifests(
    `${doc}\n---\n# only a comment\n---\n${doc.replace("spec: {}", "spec: { delaySeconds: -1 }")}`,
    "q.yaml",
  );
  assert.equal(result.resources.length, 1);
  assert.deepEqual(manifestOrigin(result.resources[0]!), { file: "q.yaml", document: 0 });
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.document, 2);
  assert.match(
    formatValidationError(result.errors[0]!),
    /^Queue default\/a \(q\.yaml, document 3\): spec\.delaySeconds: /,
  );
});

test("code.path is accepted in local mode and refused for a cluster", () => {
  const input = {
    ...minimalFunction(),
    spec: { runtime: "python3.11", handler: "app.handler", code: { path: "./app" } },
  };
  assert.equal(validateManifest(input).ok, true);
  assert.equal(validateManifest(input, { allowCodePath: false }).ok, false);
});

test("a handler in a nested inline file is found", () => {
  const input = minimalFunction();
  const spec = {
    ...input.spec,
    handler: "src/app.handler",
    code: { inline: { "src/app.mjs": "export const handler = 1" } },
  };
  assert.equal(validateManifest({ ...input, spec }).ok, true);
});

test("the Schedule payload keeps any JSON as written", () => {
  const payload = { nested: [1, { deep: true }], n: null };
  const result = validateManifest({
    apiVersion: "kappa.dev/v1alpha1",
    kind: "Schedule",
    metadata: { name: "tick" },
    spec: { expression: "rate(1 minute)", function: "hello", payload },
  });
  assert.ok(result.ok);
  if (result.ok && result.resource.kind === "Schedule")
    assert.deepEqual(result.resource.spec.payload, payload);
});
