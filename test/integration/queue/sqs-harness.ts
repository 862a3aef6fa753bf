// Starts the real stack for SQS tests: a real Redis, the queue engine, the SQS JSON handler behind the AWS API
// server with SigV4, and an @aws-sdk/client-sqs client configured with only endpoint, region and credentials.
import { SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { StaticAccessKeys } from "../../../gateway/aws/access-keys.js";
import { startAwsApiServer } from "../../../gateway/aws/api-server.js";
import { createSqsApi } from "../../../gateway/sqs/sqs-api.js";
import { QueueEngine } from "../../../queue/index.js";
import { startRedis, uniquePrefix, type TestRedis } from "../../support/redis.js";

export const ACCESS_KEY_ID = "AKIAKAPPATEST0001";
export const SECRET = "kappa-test-secret-0123456789";

export interface SqsHarness {
  redis: TestRedis;
  client: Redis;
  engine: QueueEngine;
  endpoint: string;
  sqs(credentials?: { accessKeyId: string; secretAccessKey: string }): SQSClient;
  close(): Promise<void>;
}

export async function startSqsHarness(): Promise<SqsHarness> {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const engine = new QueueEngine({
    redis: client,
    prefix: uniquePrefix("sqs"),
    deletedQueueNameReuseSeconds: 0,
  });
  const server = await startAwsApiServer({
    port: 0,
    keys: new StaticAccessKeys({ [ACCESS_KEY_ID]: SECRET }),
    sqs: createSqsApi({ engine }),
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const clients: SQSClient[] = [];
  return {
    redis,
    client,
    engine,
    endpoint,
    sqs(credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }) {
      const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
      clients.push(sqs);
      return sqs;
    },
    async close() {
      for (const sqs of clients) sqs.destroy();
      await server.close();
      await engine.close();
      client.disconnect();
      await redis.stop();
    },
  };
}
