// AWS SDK clients pointed at the local platform's AWS-compatible port, signed with its access key. Using
// the real SDKs (not a hand-rolled signer) is the point: what works here works for any SDK user.
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DevState } from "./dev/state-file.js";
import type { ResourceId } from "./names.js";

// The SDK warns on every Node below 22 about its own releases after January 2027; Kappa supports Node 20, and a
// CLI command should print its answer, not that notice. Users can still set the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const config = (state: DevState) => ({
  endpoint: state.apiUrl,
  region: state.region,
  credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
  // Local mode answers at once or not at all: no SDK retries that turn one failure into three.
  maxAttempts: 1,
});

// Loaded on first use: the SDKs take a noticeable part of a second to import, which `kappa --help` should not pay.
export const lambdaClient = async (state: DevState): Promise<LambdaClient> =>
  new (await import("@aws-sdk/client-lambda")).LambdaClient(config(state));
export const sqsClient = async (state: DevState): Promise<SQSClient> =>
  new (await import("@aws-sdk/client-sqs")).SQSClient(config(state));

/**
 * The FunctionName the Lambda API knows a function by (gateway/lambda/function-name.ts): a bare name is the default
 * namespace; a partial ARN whose account is the namespace reaches any other.
 */
export function lambdaFunctionName(id: ResourceId): string {
  return id.namespace === "default" ? id.name : `${id.namespace}:function:${id.name}`;
}
