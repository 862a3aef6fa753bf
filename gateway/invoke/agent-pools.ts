// One keep-alive connection pool per agent URL (undici v7). Pools of instances that are gone are closed by a
// sweep, bounded to one pass over the pools every SWEEP_MS.
import { Pool } from "undici";

const SWEEP_MS = 30_000;
/** Connections per agent; an agent serves perInstance requests at once, so more would only queue there. */
const MAX_CONNECTIONS = 256;
const KEEP_ALIVE_MS = 60_000;

export class AgentPools {
  private readonly pools = new Map<string, Pool>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly liveUrls: () => Set<string>) {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  get(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool(url, {
        connections: MAX_CONNECTIONS,
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveMaxTimeout: KEEP_ALIVE_MS,
        connectTimeout: 5_000,
      });
      this.pools.set(url, pool);
    }
    return pool;
  }

  private sweep(): void {
    const live = this.liveUrls();
    for (const [url, pool] of this.pools) {
      if (!live.has(url)) {
        this.pools.delete(url);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
