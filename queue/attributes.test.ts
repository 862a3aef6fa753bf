import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeAttributes, queueNameFromArn, validateQueueName } from "./attributes.js";
import { QueueError } from "./errors.js";

const fails = (fn: () => unknown, code: string, message: RegExp) =>
  assert.throws(
    fn,
    (error: unknown) => error instanceof QueueError && error.code === code && message.test(error.message),
  );

test("CreateQueue fills SQS's defaults; FIFO queues get the FIFO ones", () => {
  const standard = normalizeAttributes("q", {}, true);
  assert.equal(standard.VisibilityTimeout, "30");
  assert.equal(standard.MessageRetentionPeriod, "345600");
  assert.equal(standard.FifoQueue, undefined);
  const fifo = normalizeAttributes("q.fifo", { FifoQueue: "true" }, true);
  assert.equal(fifo.FifoQueue, "true");
  assert.equal(fifo.DeduplicationScope, "messageQueue");
});

test("a redrive policy is checked and its parts stored for the scripts", () => {
  const out = normalizeAttributes(
    "src",
    {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq",
        maxReceiveCount: "4",
      }),
    },
    true,
  );
  assert.equal(out.deadLetterQueue, "dlq");
  assert.equal(out.maxReceiveCount, "4");
  fails(() => normalizeAttributes("src", { RedrivePolicy: "{" }, true), "InvalidAttributeValue", /JSON/);
  fails(
    () =>
      normalizeAttributes(
        "src",
        {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:d.fifo" }),
        },
        true,
      ),
    "InvalidAttributeValue",
    /same type/,
  );
  const cleared = normalizeAttributes("src", { RedrivePolicy: "" }, false);
  assert.equal(cleared.deadLetterQueue, "\0");
});

test("out-of-range and unknown attributes name the attribute and the fix", () => {
  fails(
    () => normalizeAttributes("q", { DelaySeconds: "901" }, true),
    "InvalidAttributeValue",
    /DelaySeconds.*0 to 900/,
  );
  fails(
    () => normalizeAttributes("q", { VisibilityTimeout: "1.5" }, true),
    "InvalidAttributeValue",
    /integer/,
  );
  fails(() => normalizeAttributes("q", { Colour: "red" }, true), "InvalidAttributeName", /Colour/);
  fails(
    () => normalizeAttributes("q", { ContentBasedDeduplication: "true" }, true),
    "InvalidAttributeName",
    /Content/,
  );
  fails(() => normalizeAttributes("q", { FifoQueue: "true" }, true), "InvalidAttributeValue", /\.fifo/);
  fails(
    () => normalizeAttributes("q.fifo", { FifoQueue: "false" }, false),
    "InvalidAttributeValue",
    /cannot be changed/,
  );
});

test("queue names and ARNs", () => {
  assert.equal(validateQueueName("a-b_c.fifo"), "a-b_c.fifo");
  fails(() => validateQueueName("a".repeat(81)), "InvalidParameterValueException", /1 to 80/);
  fails(() => validateQueueName(""), "MissingRequiredParameterException", /QueueName/);
  assert.equal(queueNameFromArn("arn:aws:sqs:eu-west-1:123456789012:jobs", "SourceArn"), "jobs");
  fails(
    () => queueNameFromArn("arn:aws:sns:eu-west-1:1:jobs", "SourceArn"),
    "InvalidParameterValueException",
    /SourceArn/,
  );
});
