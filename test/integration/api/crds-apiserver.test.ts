// The CRDs meet the Kubernetes API server's own code (apiextensions-apiserver v0.33, run by crdcheck/main.go
// without a server): CRD validation (structural schema, CEL compilation and cost), then each manifest is pruned,
// defaulted, schema-validated and CEL-checked as `kubectl apply` would have it.
// Bad fixtures must be rejected unless marked "# cluster: accepted — <why>"; good ones accepted unless marked
// "# cluster: rejected — <why>". Either mark is checked too, so it cannot go stale.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { yamlFiles } from "../../unit/api/manifest-fixtures.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../..", import.meta.url));
const CRD_DIR = join(root, "charts/kappa/crds");
const FIXTURES = join(root, "test/fixtures/manifests");
const EXAMPLES = join(root, "examples");

interface Output {
  crdErrors: string[];
  documents: {
    file: string;
    document: number;
    kind: string;
    name: string;
    known: boolean;
    errors: string[];
  }[];
}

const hasGo = spawnSync("go", ["version"]).status === 0;
let workDir = "";
let binary = "";

before(() => {
  if (!hasGo) return;
  workDir = mkdtempSync(join(tmpdir(), "kappa-crdcheck-"));
  binary = join(workDir, "crdcheck");
  // first build downloads the Kubernetes modules through the Go proxy; later builds come from the Go cache
  execFileSync("go", ["build", "-o", binary, "."], {
    cwd: join(here, "crdcheck"),
    env: { ...process.env, GOFLAGS: "-mod=mod" },
    stdio: ["ignore", "ignore", "pipe"],
  });
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const run = (files: string[]): Output =>
  JSON.parse(execFileSync(binary, [CRD_DIR, ...files], { encoding: "utf8", maxBuffer: 64 << 20 })) as Output;

const errorsByFile = (output: Output) => {
  const byFile = new Map<string, string[]>();
  for (const doc of output.documents) byFile.set(doc.file, [...(byFile.get(doc.file) ?? []), ...doc.errors]);
  return byFile;
};

test(
  "the API server accepts every CRD (structural, CEL compiles within its cost budget)",
  { skip: !hasGo && "no go toolchain" },
  () => {
    assert.deepEqual(run([]).crdErrors, []);
  },
);

test(
  "good manifests pass the API server's defaulting, schema and CEL rules",
  { skip: !hasGo && "no go toolchain" },
  () => {
    const files = yamlFiles(join(FIXTURES, "good"));
    const byFile = errorsByFile(run(files));
    for (const file of files) {
      const rejectedOnPurpose = /^# cluster: rejected/m.test(readFileSync(file, "utf8"));
      const errors = byFile.get(file) ?? [];
      if (rejectedOnPurpose)
        assert.notDeepEqual(errors, [], `${basename(file)} is marked rejected but was accepted`);
      else assert.deepEqual(errors, [], basename(file));
    }
  },
);

test(
  "bad manifests are rejected by the API server too, unless marked",
  { skip: !hasGo && "no go toolchain" },
  () => {
    const files = yamlFiles(join(FIXTURES, "bad"));
    const byFile = errorsByFile(run(files));
    for (const file of files) {
      const acceptedOnPurpose = /^# cluster: accepted/m.test(readFileSync(file, "utf8"));
      const errors = byFile.get(file) ?? [];
      if (acceptedOnPurpose) {
        assert.deepEqual(
          errors,
          [],
          `${basename(file)} is marked accepted, but the API server rejects it: drop the mark`,
        );
      } else {
        assert.notDeepEqual(
          errors,
          [],
          `${basename(file)}: the CRD lets it through; add a CEL rule or mark it`,
        );
      }
    }
  },
);

test(
  "examples pass the API server's checks",
  { skip: (!hasGo && "no go toolchain") || (!existsSync(EXAMPLES) && "no examples yet") },
  () => {
    const files = yamlFiles(EXAMPLES).filter((f) => !/node_modules/.test(f));
    const output = run(files);
    const failures = output.documents.filter((d) => d.known && d.errors.length > 0);
    // code.path is local mode only: examples that use it are meant for kappa dev
    const real = failures.filter(
      (d) => !d.errors.every((e) => e.includes("code.path works only in local mode")),
    );
    assert.deepEqual(
      real.map((d) => `${d.file} ${d.kind}/${d.name}: ${d.errors.join("; ")}`),
      [],
    );
  },
);
