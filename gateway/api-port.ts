// The AWS API port: the queue part's server (gateway/aws/api-server.ts: bounded body, SigV4, SQS) with the
// Lambda Invoke API plugged in. Without a queue engine the SQS half answers that SQS is not enabled.
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { QueueEngine } from "../queue/index.js";
import type { AccessKeyStore } from "./aws/access-keys.js";
import { startAwsApiServer } from "./aws/api-server.js";
import type { LambdaApiHandler } from "./lambda/lambda-api.js";
import { createSqsApi } from "./sqs/sqs-api.js";

export interface ApiPortOptions {
  host: string;
  port: number;
  accessKeys?: AccessKeyStore;
  queue?: QueueEngine;
  lambda: LambdaApiHandler;
  logger: Logger;
  registry: Registry;
}

/** With no access keys configured nobody can sign, so every request is refused as unrecognized. */
const noKeys: AccessKeyStore = { lookup: () => undefined };

export async function startApiPort(
  options: ApiPortOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const sqs = options.queue
    ? createSqsApi({ engine: options.queue, logger: options.logger })
    : async (_req: unknown, res: ServerResponse) => {
        const body = JSON.stringify({
          __type: "com.amazonaws.sqs#UnsupportedOperation",
          message: "SQS is not enabled on this gateway",
        });
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      };
  return startAwsApiServer({
    host: options.host,
    port: options.port,
    keys: options.accessKeys ?? noKeys,
    sqs,
    lambda: options.lambda,
    logger: options.logger,
  });
}
