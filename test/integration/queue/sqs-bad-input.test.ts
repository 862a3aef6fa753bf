// Bad input to the SQS API: every case answers with AWS's error code and a message naming the field, never a
// stack trace. Signature failures are checked with raw HTTP so the request can be broken on purpose.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../support/sha256.js";
import { ACCESS_KEY_ID, SECRET, startSqsHarness, type SqsHarness } from "./sqs-harness.js";

let h: SqsHarness;
let sqs: SQSClient;
let QueueUrl: string;
before(async () => {
  h = await startSqsHarness();
  sqs = h.sqs();
  QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "bad-input" }))).QueueUrl!;
});
after(() => h.close());

async function expectError(promise: Promise<unknown>, name: string, message: RegExp) {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /at .*\.ts:\d+/, "no stack traces on the wire");
    return true;
  });
}

test("out-of-range parameters name the parameter and its range", async () => {
  await expectError(
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
    "InvalidParameterValue",
    /MaxNumberOfMessages.*1 and 10/,
  );
  await expectError(
    sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })),
    "InvalidParameterValue",
    /WaitTimeSeconds/,
  );
  await expectError(
    sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43_201 })),
    "InvalidParameterValue",
    /VisibilityTimeout/,
  );
  await expectError(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 901 })),
    "InvalidParameterValue",
    /DelaySeconds/,
  );
  await expectError(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "" })),
    "MissingParameter",
    /MessageBody/,
  );
  await expectError(
    sqs.send(new CreateQueueCommand({ QueueName: "q", Attributes: { MessageRetentionPeriod: "59" } })),
    "InvalidAttributeValue",
    /MessageRetentionPeriod.*60 to 1209600/,
  );
  await expectError(
    sqs.send(new CreateQueueCommand({ QueueName: "q", Attributes: { Nope: "1" } as never })),
    "InvalidAttributeName",
    /Nope/,
  );
  await expectError(
    sqs.send(new CreateQueueCommand({ QueueName: "a/b" })),
    "InvalidParameterValue",
    /QueueName/,
  );
  await expectError(
    sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "x",
        MessageAttributes: { "AWS.bad": { DataType: "String", StringValue: "v" } },
      }),
    ),
    "InvalidParameterValue",
    /AWS\./,
  );
  await expectError(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `i${i}`, MessageBody: "x" })),
      }),
    ),
    "TooManyEntriesInBatchRequest",
    /10/,
  );
  await expectError(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "x" },
          { Id: "a", MessageBody: "y" },
        ],
      }),
    ),
    "BatchEntryIdsNotDistinct",
    /a/,
  );
});

test("an unknown queue, a bad receipt handle and an oversized message", async () => {
  await expectError(
    sqs.send(new SendMessageCommand({ QueueUrl: `${h.endpoint}/000000000000/missing`, MessageBody: "x" })),
    "QueueDoesNotExist",
    /does not exist/,
  );
  await expectError(
    sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "bogus" })),
    "ReceiptHandleIsInvalid",
    /bogus/,
  );
  await expectError(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: "bogus", VisibilityTimeout: 5 })),
    "ReceiptHandleIsInvalid",
    /receipt handle/,
  );
  await expectError(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_577) })),
    "InvalidParameterValue",
    /shorter than 1048576 bytes/,
  );
});

async function rawRequest(options: {
  dropHeader?: string;
  secret?: string;
  body?: string;
  signedBody?: string;
  at?: Date;
}) {
  const body = options.body ?? JSON.stringify({ QueueName: "bad-input" });
  const url = new URL(h.endpoint);
  const signer = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: options.secret ?? SECRET },
    region: "us-east-1",
    service: "sqs",
    sha256: NodeSha256,
  });
  const signedBody = options.signedBody ?? body;
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.GetQueueUrl",
        "x-amz-content-sha256": createHash("sha256").update(signedBody).digest("hex"),
      },
      body: signedBody,
    },
    { signingDate: options.at ?? new Date() },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  if (options.dropHeader) delete headers[options.dropHeader];
  delete headers.host;
  const response = await fetch(`${h.endpoint}/`, { method: "POST", headers, body });
  const text = await response.text();
  return {
    status: response.status,
    queryError: response.headers.get("x-amzn-query-error"),
    json: JSON.parse(text) as Record<string, string>,
  };
}

test("a correctly signed raw request works (the baseline for the broken ones below)", async () => {
  const ok = await rawRequest({});
  assert.equal(ok.status, 200);
  assert.equal(ok.json.QueueUrl, QueueUrl);
});

test("a bad signature, an unknown key's signature, a stale or missing date are refused as AWS does", async () => {
  const wrongSecret = await rawRequest({ secret: "not-the-secret-0123456789" });
  assert.equal(wrongSecret.status, 403);
  assert.equal(wrongSecret.json.__type, "com.amazon.coral.service#InvalidSignatureException");
  assert.equal(wrongSecret.queryError, "SignatureDoesNotMatch;Sender");

  const tampered = await rawRequest({ signedBody: JSON.stringify({ QueueName: "other" }) });
  assert.equal(tampered.status, 403);
  assert.match(tampered.json.message!, /x-amz-content-sha256/);

  const stale = await rawRequest({ at: new Date(Date.now() - 10 * 60_000) });
  assert.equal(stale.status, 403);
  assert.match(stale.json.message!, /Signature expired/);

  const noDate = await rawRequest({ dropHeader: "x-amz-date" });
  assert.equal(noDate.status, 403);
  assert.equal(noDate.json.__type, "com.amazon.coral.service#IncompleteSignatureException");
  assert.match(noDate.json.message!, /X-Amz-Date/);

  const unsigned = await rawRequest({ dropHeader: "authorization" });
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.json.__type, "com.amazon.coral.service#MissingAuthenticationTokenException");

  // Query-compatible SDKs name it by the legacy code in x-amzn-query-error, as SQS itself answers.
  const stranger = h.sqs({ accessKeyId: "AKIASTRANGER00000", secretAccessKey: SECRET });
  await expectError(
    stranger.send(new CreateQueueCommand({ QueueName: "x" })),
    "InvalidClientTokenId",
    /security token/,
  );
});

test("a body over the API port's limit is refused before it is read in full", async () => {
  const huge = await fetch(`${h.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
    body: "x".repeat(8 * 1024 * 1024),
  }).catch((error: Error) => error);
  // The server may answer 413 or close the connection while the client is still sending; both refuse it.
  if (!(huge instanceof Error)) assert.equal(huge.status, 413);
});

test("a body that is not JSON is a SerializationException", async () => {
  const notJson = await rawRequest({ body: "{not json", signedBody: "{not json" });
  assert.equal(notJson.status, 400);
  assert.match(notJson.json.__type!, /SerializationException/);
});
