// The Lambda Invoke API through the real @aws-sdk/client-lambda with only endpoint, region and credentials:
// SigV4 is verified by the AWS API port (gateway/aws/api-server.ts) against Kappa access keys.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AgentHeaders } from "../../../api/agent.js";
import { StaticAccessKeys } from "../../../gateway/aws/access-keys.js";
import { QueueEngine } from "../../../queue/index.js";
import {
  ScriptedAgent,
  eventually,
  functionResource,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type AgentBehaviour,
  type TestGateway,
} from "./support.js";

const KEY_ID = "AKIAKAPPATESTKEY0001";
const SECRET = "kappa-test-secret-key-0000000000";
const decode = (bytes?: Uint8Array) => (bytes ? Buffer.from(bytes).toString("utf8") : "");

/** Echoes the payload; a payload {"fail":true} fails; logs are returned when asked. */
const behaviour: AgentBehaviour = (call, res) => {
  const payload = JSON.parse(call.body.toString("utf8")) as { fail?: boolean };
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (call.headers[AgentHeaders.logType] === "Tail")
    headers[AgentHeaders.logResult] = Buffer.from("START\nhello log\nEND\n").toString("base64");
  if (payload.fail) {
    headers[AgentHeaders.functionError] = "Unhandled";
    res.writeHead(200, headers);
    res.end(JSON.stringify({ errorType: "Error", errorMessage: "asked to fail", stackTrace: [] }));
    return;
  }
  res.writeHead(200, headers);
  res.end(JSON.stringify({ got: payload, arn: call.headers[AgentHeaders.invokedArn] }));
};

describe("Lambda Invoke API via @aws-sdk/client-lambda", () => {
  let gw: TestGateway;
  let agent: ScriptedAgent;
  let engine: QueueEngine;
  let lambda: LambdaClient;
  const ns = uniquePrefix("lam");

  before(async () => {
    agent = await ScriptedAgent.start(behaviour);
    const { testRedis } = await import("./support.js");
    const { Redis } = await import("ioredis");
    const engineRedis = new Redis((await testRedis()).url);
    engine = new QueueEngine({ redis: engineRedis, prefix: `${ns}:sqs` });
    gw = await startTestGateway({
      apiPort: 0,
      accessKeys: new StaticAccessKeys({ [KEY_ID]: SECRET }),
      queue: engine,
      lambdaNamespace: ns,
    });
    lambda = new LambdaClient({
      endpoint: `http://127.0.0.1:${gw.gateway.apiPort}`,
      region: "us-east-1",
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
      maxAttempts: 1,
    });
    gw.store.upsert(functionResource(ns, "echo", { concurrency: { perInstance: 10 } }));
    await gw.addInstance(ns, "echo", { url: agent.url, perInstance: 10 });
  });
  after(async () => {
    lambda.destroy();
    await gw.close();
    await engine.close();
    await agent.stop();
    await stopTestRedis();
  });

  test("RequestResponse returns the payload, status 200 and $LATEST", async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from(JSON.stringify({ a: 1 })) }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, "$LATEST");
    assert.equal(out.FunctionError, undefined);
    const body = JSON.parse(decode(out.Payload)) as { got: unknown; arn: string };
    assert.deepEqual(body.got, { a: 1 });
    assert.equal(body.arn, "arn:aws:lambda:us-east-1:000000000000:function:echo");
  });

  test("function name forms: name:$LATEST, Qualifier, full and partial ARN with the namespace as account", async () => {
    for (const name of [
      "echo:$LATEST",
      `arn:aws:lambda:us-east-1:${ns}:function:echo`,
      `${ns}:function:echo`,
      "arn:aws:lambda:us-east-1:123456789012:function:echo",
    ]) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
      assert.equal(out.StatusCode, 200, name);
    }
    const qualified = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", Qualifier: "$LATEST", Payload: Buffer.from("{}") }),
    );
    assert.equal(qualified.StatusCode, 200);
  });

  test("a function error is 200 with X-Amz-Function-Error and the error payload", async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from(JSON.stringify({ fail: true })) }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, "Unhandled");
    assert.deepEqual(JSON.parse(decode(out.Payload)), {
      errorType: "Error",
      errorMessage: "asked to fail",
      stackTrace: [],
    });
  });

  test("LogType Tail returns the log tail in LogResult", async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", LogType: "Tail", Payload: Buffer.from("{}") }),
    );
    assert.match(Buffer.from(out.LogResult!, "base64").toString("utf8"), /hello log/);
    const none = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{}") }));
    assert.equal(none.LogResult, undefined);
  });

  test("DryRun is 204 and does not invoke", async () => {
    const before = agent.calls.length;
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    assert.equal(out.StatusCode, 204);
    assert.equal(agent.calls.length, before);
  });

  test("Event is 202 and the dispatcher invokes the function from the queue", async () => {
    const marker = uniquePrefix("evt");
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: "echo",
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify({ marker })),
      }),
    );
    assert.equal(out.StatusCode, 202);
    await eventually(() => assert.ok(agent.calls.some((c) => c.body.toString().includes(marker))), 15_000);
  });

  test("errors come back as the SDK's typed exceptions", async () => {
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: "missing" })),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, "ResourceNotFoundException");
        assert.equal(e.$metadata?.httpStatusCode, 404);
        assert.match(e.message, /Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing/);
        return true;
      },
    );
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "7" })), {
      name: "ResourceNotFoundException",
    });
    await assert.rejects(
      lambda.send(
        new InvokeCommand({
          FunctionName: "echo",
          InvocationType: "Event",
          Payload: Buffer.alloc(1024 * 1024 + 1, 32),
        }),
      ),
      { name: "RequestTooLargeException" },
    );
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("not json") })),
      {
        name: "InvalidRequestContentException",
      },
    );
  });

  test("reserved concurrency throttles with TooManyRequestsException and its Reason", async () => {
    const gate: Array<() => void> = [];
    const held = await ScriptedAgent.start((_call, res) => {
      gate.push(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    gw.store.upsert(functionResource(ns, "capped", { concurrency: { perInstance: 5, reserved: 1 } }));
    await gw.addInstance(ns, "capped", { url: held.url, perInstance: 5 });
    const first = lambda.send(new InvokeCommand({ FunctionName: "capped", Payload: Buffer.from("{}") }));
    await eventually(() => assert.equal(held.calls.length, 1));
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: "capped", Payload: Buffer.from("{}") })),
      (e: Error & { Reason?: string }) => {
        assert.equal(e.name, "TooManyRequestsException");
        assert.equal(e.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
        return true;
      },
    );
    gate[0]!();
    assert.equal((await first).StatusCode, 200);
    await held.stop();
  });

  test("a bad signature is refused", async () => {
    const wrong = new LambdaClient({
      endpoint: `http://127.0.0.1:${gw.gateway.apiPort}`,
      region: "us-east-1",
      credentials: { accessKeyId: KEY_ID, secretAccessKey: "not-the-secret-0000000000" },
      maxAttempts: 1,
    });
    await assert.rejects(wrong.send(new InvokeCommand({ FunctionName: "echo" })), {
      name: "InvalidSignatureException",
    });
    wrong.destroy();
  });
});
