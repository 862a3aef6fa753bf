// Rebuilds dist/ (tsc) when a source is newer than the last build. Integration and e2e tests run the built
// binary (bin/kappa.js -> dist/), and benchmarks measure the built code, as production runs it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export function buildIfStale(root) {
  const built = join(root, "dist", ".built");
  const stale = spawnSync(
    "bash",
    [
      "-c",
      `[ ! -f dist/.built ] || [ -n "$(find api cli controller gateway queue runtime bench -name '*.ts' -newer dist/.built -print -quit)" ]`,
    ],
    { cwd: root },
  );
  if (stale.status !== 0) return;
  console.error("building (sources are newer than dist/)");
  const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  spawnSync("touch", [built]);
}
