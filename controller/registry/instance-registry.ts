// The controller's writes to the instance registry in Redis (api/instances.ts). The controller is the only writer
// of kappa:{ns/name}:instances; it lists only READY instances, and every change is announced on kappa:instances.
import { existsSync, readFileSync } from "node:fs";
import type { Redis, Cluster } from "ioredis";
import { RedisKeys, functionKey, type InstanceRecord } from "../../api/instances.js";

// tsc does not copy .lua files: from dist/, read the script from the source tree beside it.
const scriptUrl = [
  new URL("./replace-instances-1.lua", import.meta.url),
  new URL("../../../controller/registry/replace-instances-1.lua", import.meta.url),
].find((url) => existsSync(url))!;
const REPLACE_SCRIPT = readFileSync(scriptUrl, "utf8");

export type RedisClient = Redis | Cluster;

export class InstanceRegistry {
  constructor(private readonly redis: RedisClient) {
    if (!("replaceInstances" in redis)) {
      redis.defineCommand("replaceInstances", { numberOfKeys: 1, lua: REPLACE_SCRIPT });
    }
  }

  /** Makes the registry of namespace/name hold exactly `records`; returns true when it changed. */
  async replace(namespace: string, name: string, records: InstanceRecord[]): Promise<boolean> {
    const args: string[] = [];
    for (const record of [...records].sort((a, b) => a.id.localeCompare(b.id))) {
      args.push(record.id, JSON.stringify(record));
    }
    const run = (this.redis as unknown as Record<string, (...a: string[]) => Promise<number>>)
      .replaceInstances!;
    const changed = await run.call(
      this.redis,
      RedisKeys.instances(namespace, name),
      RedisKeys.instancesChannel,
      functionKey(namespace, name),
      ...args,
    );
    return changed === 1;
  }

  async read(namespace: string, name: string): Promise<InstanceRecord[]> {
    const hash = await this.redis.hgetall(RedisKeys.instances(namespace, name));
    return Object.values(hash).map((v) => JSON.parse(v) as InstanceRecord);
  }
}
