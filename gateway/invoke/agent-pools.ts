// One keep-alive connection pool per agent URL (agent-pool.ts). Pools of instances that are gone are closed by
// a sweep, bounded to one pass over the pools every SWEEP_MS, which also closes connections idle too long.
import { AgentPool } from "./agent-pool.js";

const SWEEP_MS = 30_000;

export class AgentPools {
  private readonly pools = new Map<string, AgentPool>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly liveUrls: () => Set<string>) {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** The pool for an agent URL (http://host:port, as the controller registers instances). */
  get(url: string): AgentPool {
    let pool = this.pools.get(url);
    if (!pool) {
      const parsed = new URL(url);
      if (parsed.protocol !== "http:")
        throw new Error(`agent URL ${url} must be http:// (agents are reached inside the cluster)`);
      const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
      pool = new AgentPool(host, Number(parsed.port || 80));
      this.pools.set(url, pool);
    }
    return pool;
  }

  private sweep(): void {
    const live = this.liveUrls();
    for (const [url, pool] of this.pools) {
      if (!live.has(url)) {
        this.pools.delete(url);
        pool.close();
      } else pool.sweep();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const pool of this.pools.values()) pool.close(true);
    this.pools.clear();
  }
}
