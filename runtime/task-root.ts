// Puts a function's code where its process will run it: files are written under the task root, a directory
// (a mounted ConfigMap or an image's /var/task) is used in place.
import { chmod, mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AgentCode } from "../api/agent.js";

export class CodeError extends Error {}

export async function createTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Returns the task root holding the code. */
export async function materializeCode(code: AgentCode, taskRoot: string): Promise<string> {
  if ("dir" in code) {
    const info = await stat(code.dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new CodeError(`code.dir ${code.dir} is not a directory on this instance`);
    return code.dir;
  }
  await mkdir(taskRoot, { recursive: true });
  await Promise.all(
    Object.entries(code.files).map(async ([path, base64]) => {
      const target = join(taskRoot, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, Buffer.from(base64, "base64"));
      // Base64 files carry no mode bits; a custom runtime's entry point must be executable.
      if (path === "bootstrap" || path.endsWith("/bootstrap")) await chmod(target, 0o755);
    }),
  );
  return taskRoot;
}
