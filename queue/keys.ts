// Redis key layout of the queue engine. Every key of one queue carries the hash tag {<queue name>} so all of a
// queue's state sits in one Cluster hash slot and each Lua script touches one slot. The order of queueKeys()
// is the KEYS order documented in scripts/include/keys.lua.

const QUEUE_KEY_SUFFIXES = [
  "meta",
  "msgs",
  "rc",
  "fr",
  "tok",
  "seq",
  "grp",
  "ready",
  "delayed",
  "inflight",
  "byage",
  "groups",
  "ginflight",
  "dedup",
  "dedupx",
  "out",
  "tomb",
  "tasks",
  "moved",
] as const;

export const QUEUE_KEY_COUNT = QUEUE_KEY_SUFFIXES.length;

export class QueueKeys {
  private readonly cache = new Map<string, string[]>();

  constructor(readonly prefix: string) {}

  /** The KEYS every queue script takes, in order. */
  queue(name: string): string[] {
    let keys = this.cache.get(name);
    if (!keys) {
      keys = QUEUE_KEY_SUFFIXES.map((suffix) => `${this.prefix}:{${name}}:${suffix}`);
      // Bounded: one entry per queue name this process touched; queue counts are small (thousands at most).
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(name, keys);
    }
    return keys;
  }

  tasks(name: string): string {
    return `${this.prefix}:{${name}}:tasks`;
  }

  out(name: string): string {
    return `${this.prefix}:{${name}}:out`;
  }

  /** Pub/sub channel published when messages become visible (see include/keys.lua WAKE_CHANNEL). */
  wakeChannel(name: string): string {
    return `${this.prefix}:{${name}}:wake`;
  }

  /** Sorted set of every queue name (score 0, listed lexicographically). */
  registry(): string {
    return `${this.prefix}:queues`;
  }

  /** Set of the queues whose redrive policy targets the dead-letter queue `name`. */
  deadLetterSources(name: string): string {
    return `${this.prefix}:dlq-sources:{${name}}`;
  }
}
