// Reads the manifest fixtures and runs the validator the way `kappa dev` and `kappa deploy` do.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateManifests, validateManifestSet, type ValidationError } from "../../../api/validate.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/manifests", import.meta.url));

export const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });

export interface CheckOptions {
  /** cluster target: code.path is refused */
  cluster?: boolean;
  /** references must resolve inside the set */
  requireReferences?: boolean;
}

/** Every error the validator reports for a set of files, document by document and then as one set. */
export function checkFiles(
  files: { path: string; text: string }[],
  options: CheckOptions = {},
): ValidationError[] {
  const errors: ValidationError[] = [];
  const resources = files.flatMap(({ path, text }) => {
    const result = validateManifests(text, path, { allowCodePath: !options.cluster });
    errors.push(...result.errors);
    return result.resources;
  });
  errors.push(...validateManifestSet(resources, { requireReferences: options.requireReferences ?? false }));
  return errors;
}

export const readText = (path: string) => readFileSync(path, "utf8");
