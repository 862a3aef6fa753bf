// The CRDs the chart ships are structural (apiextensions.k8s.io/v1 rules) and complete: names, status, columns.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { crdFileName, FORBIDDEN_CRD_KEYWORDS } from "../../../api/crds.js";
import { Kinds } from "../../../api/resources/kinds.js";

const CRD_DIR = fileURLToPath(new URL("../../../charts/kappa/crds", import.meta.url));
type Node = Record<string, unknown>;

/** Every schema node with its path, walking properties, items and additionalProperties. */
function* nodes(schema: Node, path: string): Generator<[Node, string]> {
  yield [schema, path];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, Node>)) {
    yield* nodes(child, `${path}.${name}`);
  }
  if (schema.items) yield* nodes(schema.items as Node, `${path}[]`);
  if (typeof schema.additionalProperties === "object")
    yield* nodes(schema.additionalProperties as Node, `${path}{}`);
}

const ALLOWED_KEYWORDS = new Set([
  "type",
  "description",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "enum",
  "default",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "nullable",
  "x-kubernetes-validations",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
]);
const FORMATS = new Set([
  "date-time",
  "date",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
  "byte",
  "int32",
  "int64",
]);

for (const info of Kinds) {
  const crd = parse(readFileSync(join(CRD_DIR, crdFileName(info)), "utf8")) as Node;

  test(`${info.kind} CRD: names, scope, status subresource, printer columns`, () => {
    const spec = crd.spec as Node;
    const names = spec.names as Node;
    assert.equal((crd.metadata as Node).name, `${info.plural}.kappa.dev`);
    assert.equal(spec.group, "kappa.dev");
    assert.equal(spec.scope, "Namespaced");
    assert.equal(names.kind, info.kind);
    assert.deepEqual(names.categories, ["kappa"]);
    assert.ok((names.shortNames as string[]).length > 0);
    const [version] = spec.versions as Node[];
    assert.equal(version!.name, "v1alpha1");
    assert.deepEqual(version!.subresources, { status: {} });
    for (const column of version!.additionalPrinterColumns as Node[]) {
      assert.match(String(column.jsonPath), /^\./, `${column.name}: jsonPath starts with .`);
      assert.ok(["string", "integer", "number", "boolean", "date"].includes(String(column.type)));
    }
  });

  test(`${info.kind} CRD schema is structural`, () => {
    const spec = crd.spec as Node;
    const root = ((spec.versions as Node[])[0]!.schema as Node).openAPIV3Schema as Node;
    assert.deepEqual(
      (root.properties as Node).metadata,
      { type: "object" },
      "metadata is left to the API server",
    );
    const ajv = new Ajv({ strict: false });
    for (const [node, path] of nodes(root, info.kind)) {
      for (const key of Object.keys(node)) {
        assert.ok(
          !(FORBIDDEN_CRD_KEYWORDS as readonly string[]).includes(key),
          `${path}: forbidden keyword ${key}`,
        );
        assert.ok(
          ALLOWED_KEYWORDS.has(key),
          `${path}: keyword ${key} is not part of Kubernetes' schema dialect`,
        );
      }
      const free = node["x-kubernetes-preserve-unknown-fields"] === true;
      assert.ok(typeof node.type === "string" || free, `${path}: every node needs a type`);
      assert.ok(
        !(node.properties && node.additionalProperties !== undefined),
        `${path}: properties and additionalProperties exclude each other`,
      );
      assert.notEqual(
        node.additionalProperties,
        false,
        `${path}: additionalProperties: false is not allowed`,
      );
      for (const bound of ["exclusiveMinimum", "exclusiveMaximum"]) {
        if (bound in node)
          assert.equal(typeof node[bound], "boolean", `${path}: ${bound} is a boolean in OpenAPI v3.0`);
      }
      if (node.format !== undefined)
        assert.ok(FORMATS.has(String(node.format)), `${path}: unknown format ${node.format}`);
      for (const name of (node.required ?? []) as string[]) {
        assert.ok(name in ((node.properties ?? {}) as Node), `${path}: required ${name} is not a property`);
      }
      if (node.default !== undefined) {
        // ajv stands in for the API server's check that a default is valid against its own schema
        const schemaOnly = JSON.parse(
          JSON.stringify(node, (k, v) => (k.startsWith("x-kubernetes") ? undefined : v)),
        );
        for (const key of ["exclusiveMinimum", "exclusiveMaximum"]) delete schemaOnly[key];
        assert.ok(
          ajv.validate(schemaOnly, node.default),
          `${path}: default ${JSON.stringify(node.default)} is invalid`,
        );
      }
      for (const rule of (node["x-kubernetes-validations"] ?? []) as Node[]) {
        assert.equal(typeof rule.rule, "string", `${path}: a CEL rule needs rule`);
        assert.equal(typeof rule.message, "string", `${path}: a CEL rule needs a message`);
      }
      if (node["x-kubernetes-list-type"] === "map") {
        const item = node.items as Node;
        for (const key of node["x-kubernetes-list-map-keys"] as string[]) {
          assert.ok(
            ((item.required ?? []) as string[]).includes(key),
            `${path}: list-map key ${key} must be required`,
          );
        }
      }
    }
  });
}

test("short names and plurals are unique across kinds", () => {
  const all = Kinds.flatMap((k) => [k.plural, k.singular, ...k.shortNames]);
  assert.equal(new Set(all).size, all.length, `duplicates in ${all.join(", ")}`);
});

test("rules that kubectl apply must enforce are in the CRDs as CEL", () => {
  const text = (kind: string) =>
    readFileSync(join(CRD_DIR, crdFileName(Kinds.find((k) => k.kind === kind)!)), "utf8");
  assert.match(text("Function"), /exists_one/, "exactly one code source");
  assert.match(text("Function"), /self\.minInstances <= self\.maxInstances/);
  assert.match(text("Function"), /self\.reserved >= self\.perInstance/);
  assert.match(text("Queue"), /endsWith\('\.fifo'\)/, "FIFO name suffix");
  assert.match(text("QueueTrigger"), /maximumBatchingWindowSeconds >= 1/);
});
