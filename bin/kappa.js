#!/usr/bin/env node
// The kappa CLI. Runs the compiled build (made by `npm ci` through the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(
    "kappa: the build is missing; run `npm ci` (or `npm run build`) in the Kappa folder first.\n",
  );
  process.exit(2);
}
await import(main);
