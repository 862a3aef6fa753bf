// `npx tsx api/generate-docs.ts`: refreshes the field tables in docs/resources.md from the schemas.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fillFieldTables } from "./field-docs.js";

const path = fileURLToPath(new URL("../docs/resources.md", import.meta.url));
writeFileSync(path, fillFieldTables(readFileSync(path, "utf8")));
console.log("updated docs/resources.md");
