// Loading a manifest folder the way `kappa dev` does, against real files: bad documents become problems naming
// file, resource and field while the good ones load; local-mode extras are resolved; the watcher turns a burst of
// edits into one reload.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FolderWatcher } from "../../../cli/dev/folder-watcher.js";
import { ANNOTATIONS, loadManifestFolder } from "../../../cli/dev/manifest-loader.js";
import { validateDocument, validateFolderSet } from "../../../cli/dev/validate-document.js";

const root = mkdtempSync(join(tmpdir(), "kappa-folder-"));
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), text);
};
after(() => rmSync(root, { recursive: true, force: true }));

const fnYaml = (name: string, extra = "") =>
  `apiVersion: kappa.dev/v1alpha1\nkind: Function\nmetadata: { name: ${name} }\nspec:\n  runtime: nodejs20\n  handler: index.handler\n  code: { path: ./code }\n${extra}`;

describe("manifest folder loading", () => {
  it("loads the good, reports the bad by file, resource and field", () => {
    write("good/code/index.mjs", "export const handler = async () => 1;\n");
    write("good/function.yaml", fnYaml("good"));
    write(
      "nested/deeper/secret.yml",
      "apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData: { apiKey: hello }\n",
    );
    write("bad/memory.yaml", fnYaml("memory", "  memoryMiB: 64\n").replace("./code", "../good/code"));
    write("bad/syntax.yaml", "kind: Function\nmetadata: { name: x\n");
    write("bad/nokind.yaml", "apiVersion: kappa.dev/v1alpha1\nmetadata: { name: x }\n");
    write(
      "bad/unknown.yaml",
      "apiVersion: kappa.dev/v1alpha1\nkind: Lambda\nmetadata: { name: x }\nspec: {}\n",
    );
    write("bad/nopath.yaml", fnYaml("nopath").replace("./code", "./missing"));
    write("zz/dup.yaml", fnYaml("good").replace("./code", "../good/code"));
    write(
      "bad/route.yaml",
      "apiVersion: kappa.dev/v1alpha1\nkind: Route\nmetadata: { name: r }\nspec: { path: /r, function: { name: ghost } }\n",
    );
    write("node_modules/ignored.yaml", "not: a manifest\n");

    const load = loadManifestFolder(root, validateDocument);
    const loaded = load.resources.map((r) => `${r.resource.kind}/${r.resource.metadata.name}`).sort();
    assert.deepEqual(loaded, ["Function/good", "Route/r", "Secret/s"]);
    const problems = load.problems.map((p) => [p.file, p.resource, p.field, p.message].join(" | "));
    const expectOne = (pattern: RegExp) =>
      assert.equal(problems.filter((p) => pattern.test(p)).length, 1, `${pattern}\n${problems.join("\n")}`);
    expectOne(
      /^bad\/memory\.yaml \| Function\/default\/memory \| spec\.memoryMiB \| must be between 128 and 10240 MiB/,
    );
    expectOne(/^bad\/syntax\.yaml \| {2}\| {2}\| not valid YAML at line \d/);
    expectOne(/^bad\/nokind\.yaml \| {2}\| {2}\| kind is missing/);
    expectOne(/^bad\/unknown\.yaml \| Lambda\/default\/x \| kind \| "Lambda" is not a kind Kappa knows/);
    expectOne(
      /^bad\/nopath\.yaml \| Function\/default\/nopath \| spec\.code\.path \| code\.path \.\/missing does not exist/,
    );
    expectOne(
      /^zz\/dup\.yaml \| Function\/default\/good \| {2}\| defined twice: also in good\/function\.yaml/,
    );
    assert.equal(load.problems.length, 6);

    const warnings = validateFolderSet(load.resources);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.severity, "warning");
    assert.match(warnings[0]!.message, /refers to Function default\/ghost/);

    const good = load.resources.find((r) => r.resource.metadata.name === "good")!.resource;
    assert.equal(
      (good.spec as { code: { path: string } }).code.path,
      join(root, "good", "code"),
      "code.path is made absolute",
    );
    assert.match(good.metadata.annotations![ANNOTATIONS.codeSha256]!, /^[0-9a-f]{64}$/);
    assert.equal(good.metadata.annotations![ANNOTATIONS.sourceFile], join("good", "function.yaml"));
    assert.equal((good.spec as { memoryMiB: number }).memoryMiB, 128, "defaults are filled");
    const secret = load.resources.find((r) => r.resource.kind === "Secret")!.resource;
    assert.deepEqual(secret.data, { apiKey: Buffer.from("hello").toString("base64") });
    assert.equal(secret.stringData, undefined);
  });

  it("changes the code hash when a code file changes, not when a cache file appears", () => {
    const hashOf = () =>
      loadManifestFolder(root, validateDocument).resources.find((r) => r.resource.metadata.name === "good")!
        .resource.metadata.annotations![ANNOTATIONS.codeSha256];
    const before = hashOf();
    write("good/code/__pycache__/index.cpython-311.pyc", "cache");
    assert.equal(hashOf(), before);
    write("good/code/index.mjs", "export const handler = async () => 2;\n");
    assert.notEqual(hashOf(), before);
  });

  it("turns a burst of file events into one reload", async () => {
    let reloads = 0;
    const watcher = new FolderWatcher(
      () => reloads++,
      (error) => assert.fail(error),
      100,
    );
    watcher.setFolders([root, join(root, "good")]);
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 5; i++) write("good/code/index.mjs", `export const handler = async () => ${i};\n`);
    await new Promise((r) => setTimeout(r, 1000));
    watcher.close();
    assert.equal(reloads, 1);
  });
});
