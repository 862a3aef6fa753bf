// What the engine's pieces share: the Redis client and its scripts, the key layout, the clock offset, the
// ARN context, the metrics and the logger.
import type { Logger } from "pino";
import type { ArnContext } from "./attributes.js";
import type { QueueKeys } from "./keys.js";
import type { QueueMetrics } from "./metrics.js";
import type { QueueScripts, RedisClient, ScriptName } from "./scripts.js";

export interface EngineContext {
  redis: RedisClient;
  scripts: QueueScripts;
  keys: QueueKeys;
  arn: ArnContext;
  offsetMs(): number;
  metrics?: QueueMetrics;
  logger?: Logger;
}

/** Runs a queue script on `queue`'s keys with the clock offset as ARGV[1]. */
export function runScript(
  context: EngineContext,
  name: ScriptName,
  queue: string,
  args: (string | number | Buffer)[],
): Promise<unknown> {
  return context.scripts.run(name, context.keys.queue(queue), [context.offsetMs(), ...args]);
}
