// Load-independent costs for bench/queue.ts: Redis commands and Redis CPU per message (INFO commandstats and
// INFO cpu around a run, after CONFIG RESETSTAT) and the bench process's own CPU per message. Req/s swings on a
// shared machine; these do not.
import type { Redis } from "ioredis";

export interface RunCosts {
  /** Redis commands per message by command name (EVALSHA counted as one, not its inner calls). */
  callsPerMessage: Map<string, number>;
  /** Average Redis CPU per EVALSHA call (µs), 0 when none ran. */
  evalshaUsecPerCall: number;
  /** Redis server CPU per message (µs, user + sys). */
  redisCpuUsPerMessage: number;
  /** This process's CPU per message (µs, user + sys): producer, consumers and the client library. */
  nodeCpuUsPerMessage: number;
}

interface CommandStat {
  calls: number;
  usec: number;
}

async function commandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const info = await redis.info("commandstats");
  const stats = new Map<string, CommandStat>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]) });
  return stats;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const user = /used_cpu_user:([\d.]+)/.exec(info)?.[1];
  const sys = /used_cpu_sys:([\d.]+)/.exec(info)?.[1];
  return Number(user ?? 0) + Number(sys ?? 0);
}

/** Runs `run` between two snapshots of the counters and returns its result with the costs per message. */
export async function measureCosts<T>(
  stats: Redis,
  messages: number,
  run: () => Promise<T>,
): Promise<{ result: T; costs: RunCosts }> {
  await stats.config("RESETSTAT");
  const redisCpuBefore = await redisCpuSeconds(stats);
  const nodeBefore = process.cpuUsage();
  const result = await run();
  const node = process.cpuUsage(nodeBefore);
  const redisCpu = (await redisCpuSeconds(stats)) - redisCpuBefore;
  const commands = await commandStats(stats);
  const callsPerMessage = new Map<string, number>();
  for (const [name, stat] of commands) {
    // The snapshot's own INFO/CONFIG calls are not the run's.
    if (name === "info" || name === "config") continue;
    callsPerMessage.set(name, stat.calls / messages);
  }
  const evalsha = commands.get("evalsha");
  return {
    result,
    costs: {
      callsPerMessage,
      evalshaUsecPerCall: evalsha && evalsha.calls ? evalsha.usec / evalsha.calls : 0,
      redisCpuUsPerMessage: (redisCpu * 1e6) / messages,
      nodeCpuUsPerMessage: (node.user + node.system) / messages,
    },
  };
}

export function formatCosts(costs: RunCosts): string {
  const calls = [...costs.callsPerMessage]
    .filter(([, perMessage]) => perMessage >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, perMessage]) => `${name} ${perMessage.toFixed(2)}`)
    .join(", ");
  const evalsha = costs.evalshaUsecPerCall ? ` (evalsha ${costs.evalshaUsecPerCall.toFixed(0)} us/call)` : "";
  return (
    `redis calls/msg: ${calls}${evalsha}; redis cpu ${costs.redisCpuUsPerMessage.toFixed(0)} us/msg; ` +
    `node cpu ${costs.nodeCpuUsPerMessage.toFixed(0)} us/msg`
  );
}
