// testcontainers runs the locally built Redis image on the Docker engine of test/images/docker-up.sh and the
// test reaches it through the published port.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { GenericContainer, Wait } from "testcontainers";
import { useTestDocker } from "../../support/docker-env.js";

test("a Redis container from the local image answers through its published port", async () => {
  const { redisImage } = useTestDocker();
  assert.equal(process.env.TESTCONTAINERS_RYUK_DISABLED, "true");
  const container = await new GenericContainer(redisImage)
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  const client = new Redis(container.getMappedPort(6379), container.getHost(), { maxRetriesPerRequest: 1 });
  try {
    await client.set("kappa:probe", "42");
    assert.equal(await client.get("kappa:probe"), "42");
    assert.match(await client.info("server"), /redis_version:\d+\.\d+\.\d+/);
  } finally {
    client.disconnect();
    await container.stop();
  }
});
