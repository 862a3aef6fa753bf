import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildLambdaEnv, checkUserEnv, logStreamName, MAX_USER_ENV_BYTES } from "./lambda-env.js";

describe("checkUserEnv", () => {
  it("accepts ordinary variables up to 4 KB in total", () => {
    assert.equal(checkUserEnv({ GREETING: "hi", TZ: "Europe/Prague" }), undefined);
    assert.equal(checkUserEnv({ A: "x".repeat(MAX_USER_ENV_BYTES - 1) }), undefined);
  });
  it("names the problem and the fix", () => {
    assert.match(checkUserEnv({ A: "x".repeat(MAX_USER_ENV_BYTES) })!, /4097 bytes; Lambda's limit is 4096/);
    assert.match(checkUserEnv({ "my-var": "x" })!, /"my-var" is not a valid name/);
    assert.match(checkUserEnv({ _HANDLER: "x" })!, /"_HANDLER" is reserved/);
    assert.match(checkUserEnv({ PORT: 8080 })!, /env.PORT must be a string/);
  });
  it("counts bytes, not characters", () => {
    assert.match(checkUserEnv({ A: "é".repeat(2048) })!, /4097 bytes/);
  });
});

describe("buildLambdaEnv", () => {
  const base = {
    fn: {
      namespace: "default",
      name: "hello",
      runtime: "nodejs20" as const,
      handler: "index.handler",
      code: { dir: "/var/task" },
      env: { GREETING: "hi", TZ: "Europe/Prague", AWS_ENDPOINT_URL: "http://user" },
      memoryMiB: 256,
    },
    taskRoot: "/var/task",
    runtimeDir: "/var/runtime",
    runtimeApi: "127.0.0.1:9001",
    region: "eu-central-1",
    logStreamName: "2026/01/02/[$LATEST]abc",
    tmpDir: "/tmp/x",
    initializationType: "on-demand" as const,
    parentEnv: { PATH: "/bin", SECRET_OF_THE_AGENT: "no", AWS_ENDPOINT_URL_SQS: "http://gw", HOME: "/root" },
  };
  it("sets Lambda's reserved variables and the function's own", () => {
    const env = buildLambdaEnv(base);
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "hello");
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
    assert.equal(env.AWS_REGION, "eu-central-1");
    assert.equal(env.AWS_DEFAULT_REGION, "eu-central-1");
    assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
    assert.equal(env._HANDLER, "index.handler");
    assert.equal(env.LAMBDA_TASK_ROOT, "/var/task");
    assert.equal(env.AWS_LAMBDA_RUNTIME_API, "127.0.0.1:9001");
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/hello");
    assert.equal(env.TMPDIR, "/tmp/x");
    assert.equal(env.GREETING, "hi");
    assert.equal(env.TZ, "Europe/Prague", "a function may set its time zone, as in Lambda");
    assert.equal(env.AWS_ENDPOINT_URL, "http://user", "the function's own value wins over a pass-through");
  });
  it("passes PATH, HOME and AWS endpoints through, but nothing else of the agent's", () => {
    const env = buildLambdaEnv(base);
    assert.equal(env.PATH, "/bin");
    assert.equal(env.HOME, "/root");
    assert.equal(env.AWS_ENDPOINT_URL_SQS, "http://gw");
    assert.equal(env.SECRET_OF_THE_AGENT, undefined);
  });
  it("sets no AWS_EXECUTION_ENV for custom runtimes", () => {
    const env = buildLambdaEnv({ ...base, fn: { ...base.fn, runtime: "provided" } });
    assert.equal(env.AWS_EXECUTION_ENV, undefined);
    assert.equal(env.TZ, "Europe/Prague");
  });
});

describe("logStreamName", () => {
  it("has Lambda's shape", () => {
    assert.equal(logStreamName(new Date("2026-03-04T05:06:07Z"), "ab12"), "2026/03/04/[$LATEST]ab12");
  });
});
