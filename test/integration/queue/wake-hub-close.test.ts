// Closing the engine's long-poll subscriber right after a reconnect: ioredis re-sends SUBSCRIBE by itself then,
// with no handler on that command's promise, so dropping the connection under it would reject it unheard (an
// unhandled rejection ends a Node process; it made the durability test fail now and then).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { WakeHub } from "../../../queue/wake-hub.js";
import { startRedis } from "../../support/redis.js";

const BUSY_SCRIPT = "for i = 1, 100000000 do end return 1";
type InfoCallback = (error: Error | null | undefined, reply: unknown) => void;

test("closing while a reconnect's re-subscribe is in flight leaves no rejection unhandled", async () => {
  const server = await startRedis();
  const redis = new Redis(server.url);
  const hub = new WakeHub(redis);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const lease = await hub.lease("kappa-test:wake");
    // The hub's own subscriber connection (private): the moment it is ready again is the moment to close.
    const subscriber = (hub as unknown as { subscriber: Redis }).subscriber;
    // When the reconnected subscriber's ready check (INFO) is answered, and before ioredis re-sends SUBSCRIBE,
    // make Redis busy (a script spinning ~0.3 s on the other connection): that SUBSCRIBE's answer is then still
    // out when the hub closes.
    const readyCheck = subscriber.info.bind(subscriber) as (done: InfoCallback) => unknown;
    (subscriber as unknown as { info: (done: InfoCallback) => unknown }).info = (done) =>
      readyCheck((error, reply) => {
        redis.eval(BUSY_SCRIPT, 0).catch(() => undefined);
        done(error, reply);
      });
    const readyAgain = new Promise<void>((resolve) => subscriber.once("ready", () => resolve()));
    assert.equal(await redis.call("CLIENT", "KILL", "TYPE", "pubsub"), 1);
    await readyAgain;
    lease.release();
    await hub.close();
    // Shutting down right after, as a test or a pod does: the server goes while anything is still unanswered.
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(unhandled, []);
    assert.equal(subscriber.status, "end");
  } finally {
    process.off("unhandledRejection", onUnhandled);
    redis.disconnect();
    await server.stop();
  }
});
