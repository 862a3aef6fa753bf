// A queue engine on a real Redis with a clock the test can move forward (added to Redis TIME), and a fresh
// key prefix per engine so tests never see each other's queues.
import { Redis } from "ioredis";
import { QueueEngine } from "../../../queue/index.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

export interface EngineHarness {
  server: TestRedis;
  redis: Redis;
  /** A new engine on its own prefix; `advance` moves its clock. */
  engine(): { engine: QueueEngine; advance(ms: number): void };
  close(): Promise<void>;
}

export async function startEngineHarness(): Promise<EngineHarness> {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const engines: QueueEngine[] = [];
  return {
    server,
    redis,
    engine() {
      let offset = 0;
      const engine = new QueueEngine({
        redis,
        prefix: uniquePrefix("q"),
        clock: { offsetMs: () => offset },
        deletedQueueNameReuseSeconds: 0,
      });
      engines.push(engine);
      return { engine, advance: (ms) => (offset += ms) };
    },
    async close() {
      for (const engine of engines) await engine.close();
      redis.disconnect();
      await server.stop();
    },
  };
}
