// `npm run crds`: writes charts/kappa/crds/<plural>.kappa.dev.yaml from api/resources and removes stale ones.
import { readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderAllCrds } from "./crds.js";

export const CRD_DIR = fileURLToPath(new URL("../charts/kappa/crds", import.meta.url));

const files = renderAllCrds();
mkdirSync(CRD_DIR, { recursive: true });
for (const stale of readdirSync(CRD_DIR).filter((f) => f.endsWith(".kappa.dev.yaml") && !files.has(f))) {
  rmSync(join(CRD_DIR, stale));
  console.log(`removed ${stale}`);
}
for (const [name, text] of files) {
  writeFileSync(join(CRD_DIR, name), text);
  console.log(`wrote charts/kappa/crds/${name}`);
}
