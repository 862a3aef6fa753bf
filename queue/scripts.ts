// Loads the Lua scripts of scripts/ (resolving "--@include <name>" lines from scripts/include/) and registers
// each on the Redis client with defineCommand, which runs them by EVALSHA and falls back to EVAL once.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Cluster, Redis } from "ioredis";
import { QueueError } from "./errors.js";

export type RedisClient = Redis | Cluster;

export type ScriptName =
  | "create-queue"
  | "set-attributes"
  | "get-attributes"
  | "send"
  | "receive"
  | "delete"
  | "change-visibility"
  | "purge"
  | "add-moved"
  | "out-ack"
  | "move-take";

interface LoadedScript {
  name: ScriptName;
  keys: number;
  lua: string;
}

function scriptsDir(): string {
  // From source (tsx) the scripts sit beside this file; from a build in dist/queue/ they stay in queue/scripts.
  const candidates = [
    new URL("./scripts/", import.meta.url),
    new URL("../../queue/scripts/", import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `queue Lua scripts not found (looked in ${candidates.map((c) => fileURLToPath(c)).join(", ")})`,
  );
}

function resolveIncludes(lua: string, dir: string): string {
  return lua.replace(/^--@include (\S+)$/gm, (_, name: string) =>
    readFileSync(`${dir}include/${name}.lua`, "utf8"),
  );
}

let loaded: LoadedScript[] | undefined;

function loadScripts(): LoadedScript[] {
  if (loaded) return loaded;
  const dir = scriptsDir();
  loaded = readdirSync(dir)
    .filter((file) => file.endsWith(".lua"))
    .map((file) => {
      const match = /^(.+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`queue script ${file} must be named <operation>-<number of keys>.lua`);
      return {
        name: match[1] as ScriptName,
        keys: Number(match[2]),
        lua: resolveIncludes(readFileSync(dir + file, "utf8"), dir),
      };
    });
  return loaded;
}

const commandName = (name: ScriptName) => `kappaQueue_${name.replace(/-/g, "_")}`;

type ScriptCommand = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/** Runs the queue's Lua scripts on one Redis client; maps "QERR <code>" replies to QueueError. */
export class QueueScripts {
  constructor(private readonly redis: RedisClient) {
    for (const script of loadScripts()) {
      const existing = (redis as unknown as Record<string, unknown>)[commandName(script.name)];
      if (typeof existing !== "function") {
        redis.defineCommand(commandName(script.name), { numberOfKeys: script.keys, lua: script.lua });
      }
    }
  }

  async run(name: ScriptName, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    const command = (this.redis as unknown as Record<string, ScriptCommand>)[commandName(name)];
    if (!command) throw new Error(`queue script ${name} is not loaded`);
    try {
      return await command.call(this.redis, ...keys, ...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const match = /QERR (\w+)/.exec(message);
      if (match?.[1]) throw QueueError.fromCode(match[1]);
      throw error;
    }
  }
}
