// The sha256 of a code folder: every file's relative path and bytes, in sorted order. A change to any file
// changes the hash, which is how local mode notices that a function's code changed and redeploys it.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Folders that never hold code the function needs to be redeployed for (caches the runtimes write). */
const SKIPPED = new Set([".git", "__pycache__", ".pytest_cache", ".DS_Store"]);
/** A code folder larger than this is almost surely a mistake (a home dir); Lambda's own unzipped cap is 250 MB. */
export const MAX_CODE_FILES = 20_000;

export function listCodeFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIPPED.has(name)) continue;
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) {
        files.push(relative(root, path).split(sep).join("/"));
        if (files.length > MAX_CODE_FILES) {
          throw new Error(
            `code folder ${root} has more than ${MAX_CODE_FILES} files; point code.path at the function's own folder`,
          );
        }
      }
    }
  };
  walk(root);
  return files;
}

export function hashCodeDir(root: string): string {
  const hash = createHash("sha256");
  for (const file of listCodeFiles(root)) {
    hash.update(file).update("\0");
    hash.update(readFileSync(join(root, file))).update("\0");
  }
  return hash.digest("hex");
}
