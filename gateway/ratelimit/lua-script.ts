// Loads the Lua scripts of this folder and runs them with EVALSHA (one round trip), falling back to EVAL once when
// the server does not know the script yet (a restart or SCRIPT FLUSH). Shared pieces (`*.include.lua`) are
// prepended, so each script is self-contained on the server. The number in a file's name is its number of keys.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The part of an ioredis client the scripts need. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

const INCLUDES = ["gcra.include.lua", "lease.include.lua"];

// The compiled build (dist/) does not carry .lua files: look beside this module first, then in the source tree.
function luaPath(file: string): string {
  const candidates = [
    new URL(`./lua/${file}`, import.meta.url),
    new URL(`../../../gateway/ratelimit/lua/${file}`, import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`Lua script ${file} not found (looked in ${candidates.join(", ")})`);
  return found;
}

export class LuaScript {
  readonly source: string;
  readonly sha: string;
  readonly numKeys: number;

  constructor(readonly file: string) {
    const match = /-(\d+)\.lua$/.exec(file);
    if (!match) throw new Error(`Lua script name ${file} must end in -<number of keys>.lua`);
    this.numKeys = Number(match[1]);
    const includes = INCLUDES.map((name) => readFileSync(luaPath(name), "utf8"));
    this.source = [...includes, readFileSync(luaPath(file), "utf8")].join("\n");
    this.sha = createHash("sha1").update(this.source).digest("hex");
  }

  async run(redis: ScriptClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numKeys)
      throw new Error(`${this.file} takes ${this.numKeys} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.numKeys, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.source, this.numKeys, ...keys, ...args);
    }
  }
}

let scripts: { take: LuaScript; usagePlan: LuaScript } | undefined;

/** The scripts, read once per process. */
export function rateLimitScripts(): { take: LuaScript; usagePlan: LuaScript } {
  scripts ??= { take: new LuaScript("take-2.lua"), usagePlan: new LuaScript("usage-plan-5.lua") };
  return scripts;
}
