import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { StaticAccessKeys } from "./access-keys.js";
import { SigV4Error, verifySigV4, type SigV4Request } from "./sigv4.js";

const ID = "AKIAKAPPATEST0001";
const SECRET = "kappa-test-secret-0123456789";
const keys = new StaticAccessKeys({ [ID]: SECRET });
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

const toBytes = (data: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

async function sign(
  options: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    body?: string;
    service?: string;
    secret?: string;
    at?: number;
  } = {},
): Promise<SigV4Request> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ID, secretAccessKey: options.secret ?? SECRET },
    region: "us-east-1",
    service: options.service ?? "sqs",
    sha256: Sha256,
  });
  const body = options.body ?? '{"QueueName":"q"}';
  const signed = await signer.sign(
    {
      method: options.method ?? "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8081,
      path: options.path ?? "/",
      query: options.query ?? {},
      headers: {
        host: "127.0.0.1:8081",
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.CreateQueue",
        "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
      },
      body,
    },
    { signingDate: new Date(options.at ?? NOW) },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return {
    method: signed.method,
    path: signed.path + (query ? `?${query}` : ""),
    headers: signed.headers,
    body: Buffer.from(body),
  };
}

async function rejects(request: SigV4Request, code: string, messagePart?: RegExp, now = NOW) {
  await assert.rejects(verifySigV4(request, keys, now), (error: unknown) => {
    assert.ok(error instanceof SigV4Error, String(error));
    assert.equal(error.code, code);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

test("accepts a request signed by the AWS SDK's signer and names the signer", async () => {
  const principal = await verifySigV4(await sign(), keys, NOW);
  assert.deepEqual(principal, { accessKeyId: ID, region: "us-east-1", service: "sqs" });
});

test("double-encodes the path for non-S3 services (an ARN in a Lambda path)", async () => {
  const path =
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello/invocations";
  const request = await sign({ path, service: "lambda", query: { Qualifier: "$LATEST" } });
  assert.equal((await verifySigV4(request, keys, NOW)).service, "lambda");
});

test("rejects a wrong secret with InvalidSignatureException", async () => {
  await rejects(
    await sign({ secret: "another-secret-0123456789" }),
    "InvalidSignatureException",
    /does not match/,
  );
});

test("rejects a tampered body: x-amz-content-sha256 no longer matches", async () => {
  const request = await sign();
  request.body = Buffer.from('{"QueueName":"other"}');
  await rejects(request, "InvalidSignatureException", /x-amz-content-sha256/);
});

test("rejects a tampered header that was signed", async () => {
  const request = await sign();
  request.headers["x-amz-target"] = "AmazonSQS.DeleteQueue";
  await rejects(request, "InvalidSignatureException");
});

test("rejects an unknown access key with UnrecognizedClientException", async () => {
  const request = await sign();
  request.headers.authorization = String(request.headers.authorization).replace(ID, "AKIAUNKNOWN000000");
  await rejects(request, "UnrecognizedClientException");
});

test("allows 5 minutes of clock skew and no more, either way", async () => {
  const request = await sign();
  await verifySigV4(request, keys, NOW + 4 * 60_000);
  await verifySigV4(request, keys, NOW - 4 * 60_000);
  await rejects(request, "InvalidSignatureException", /Signature expired/, NOW + 6 * 60_000);
  await rejects(request, "InvalidSignatureException", /not yet current/, NOW - 6 * 60_000);
});

test("a missing x-amz-date is named in the error", async () => {
  const request = await sign();
  delete request.headers["x-amz-date"];
  await rejects(request, "IncompleteSignatureException", /X-Amz-Date/);
});

test("no Authorization at all is MissingAuthenticationTokenException", async () => {
  const request = await sign();
  delete request.headers.authorization;
  await rejects(request, "MissingAuthenticationTokenException");
});

test("a malformed Authorization header is IncompleteSignatureException naming the missing part", async () => {
  const request = await sign();
  request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${ID}/20260115/us-east-1/sqs/aws4_request`;
  await rejects(request, "IncompleteSignatureException", /SignedHeaders/);
});

test("accepts the presigned query form and rejects it once expired", async () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ID, secretAccessKey: SECRET },
    region: "us-east-1",
    service: "sqs",
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 8081,
      path: "/",
      query: { Action: "ListQueues" },
      headers: { host: "127.0.0.1:8081" },
    },
    { signingDate: new Date(NOW), expiresIn: 60 },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  const request: SigV4Request = {
    method: "GET",
    path: `/?${query}`,
    headers: presigned.headers,
    body: Buffer.alloc(0),
  };
  assert.equal((await verifySigV4(request, keys, NOW + 30_000)).accessKeyId, ID);
  await rejects(request, "InvalidSignatureException", /expired/, NOW + 120_000);
});
