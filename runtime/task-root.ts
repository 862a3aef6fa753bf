// Puts a function's code where its process will run it: files are written under the task root, a directory
// (a mounted ConfigMap or an image's /var/task) is used in place.
// Synchronous file calls on purpose: specialization is on the cold-start path of an otherwise idle agent, and a
// handful of small writes is faster without a round trip through the thread pool each.
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AgentCode } from "../api/agent.js";

export class CodeError extends Error {}

export function createTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Returns the task root holding the code. */
export function materializeCode(code: AgentCode, taskRoot: string): string {
  if ("dir" in code) {
    const info = statSync(code.dir, { throwIfNoEntry: false });
    if (!info?.isDirectory()) throw new CodeError(`code.dir ${code.dir} is not a directory on this instance`);
    return code.dir;
  }
  mkdirSync(taskRoot, { recursive: true });
  for (const [path, base64] of Object.entries(code.files)) {
    const target = join(taskRoot, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(base64, "base64"));
    // Base64 files carry no mode bits; a custom runtime's entry point must be executable.
    if (path === "bootstrap" || path.endsWith("/bootstrap")) chmodSync(target, 0o755);
  }
  return taskRoot;
}
