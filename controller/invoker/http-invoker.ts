// The Invoker over the gateway's Lambda Invoke API (AWS-COMPAT.md §2), SigV4-signed with a platform access key, as
// any AWS SDK would call it. Functions are named by partial ARN `<namespace>:function:<name>`, which the gateway
// maps to namespace/name for any namespace (gateway/lambda/function-name.ts).
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { InvokeError, type InvokeRequest, type InvokeResult, type Invoker } from "./invoker.js";

export interface HttpInvokerOptions {
  /** the gateway's AWS API port base URL, e.g. http://127.0.0.1:8081 */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  /** a sync invoke waits at most this long (the function's own timeout is enforced by the gateway) */
  timeoutMs?: number;
}

/** Lambda's longest function timeout (900 s) plus a margin for the gateway's activator to start an instance. */
const DEFAULT_TIMEOUT_MS = 960_000;

export class HttpInvoker implements Invoker {
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;

  constructor(private readonly options: HttpInvokerOptions) {
    this.endpoint = new URL(options.endpoint);
    this.signer = new SignatureV4({
      service: "lambda",
      region: options.region ?? "us-east-1",
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      sha256: NodeSha256,
    });
  }

  async invoke(request: InvokeRequest, signal?: AbortSignal): Promise<InvokeResult> {
    const functionName = encodeURIComponent(`${request.namespace}:function:${request.name}`);
    const path = `/2015-03-31/functions/${functionName}/invocations`;
    const body = request.payload;
    const signed = await this.signer.sign({
      method: "POST",
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      port: this.endpoint.port ? Number(this.endpoint.port) : undefined,
      path,
      query: {},
      headers: {
        host: this.endpoint.host,
        "content-type": "application/json",
        "x-amz-invocation-type": request.type,
        "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
      },
      body,
    });
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(new URL(path, this.endpoint), {
        method: "POST",
        headers: signed.headers as Record<string, string>,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new InvokeError(
        `invoke ${request.namespace}/${request.name}: ${(error as Error).message}`,
        "NetworkError",
      );
    }
    const payload = await response.text();
    if (response.status === 200 || response.status === 202 || response.status === 204) {
      const functionError = response.headers.get("x-amz-function-error") ?? undefined;
      return { statusCode: response.status, payload, ...(functionError ? { functionError } : {}) };
    }
    let code = response.headers.get("x-amzn-errortype")?.split(":")[0] ?? "";
    let message = payload.slice(0, 1000);
    try {
      const parsed = JSON.parse(payload) as {
        __type?: string;
        code?: string;
        message?: string;
        Message?: string;
      };
      code ||= (parsed.code ?? parsed.__type ?? "").split("#").pop() ?? "";
      message = parsed.message ?? parsed.Message ?? message;
    } catch {
      // not JSON: keep the text
    }
    throw new InvokeError(
      `invoke ${request.namespace}/${request.name}: ${response.status} ${code}: ${message}`,
      code || `Http${response.status}`,
      response.status,
    );
  }
}

/** The SHA-256 the signer needs (a hash, or an HMAC when given a secret), from node:crypto. */
class NodeSha256 {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("reset is not supported; create a new hash");
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
