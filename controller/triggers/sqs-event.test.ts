import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { failedMessageIds, sqsEvent } from "./sqs-event.js";

describe("sqsEvent", () => {
  it("builds Lambda's SQS record shape", () => {
    const event = sqsEvent(
      [
        {
          messageId: "m-1",
          receiptHandle: "rh-1",
          body: "hello",
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: "1700000000000",
            SenderId: "AKIDEXAMPLE",
            ApproximateFirstReceiveTimestamp: "1700000000001",
            VisibilityTimeout: "x",
          },
          messageAttributes: {
            color: { dataType: "String", stringValue: "red" },
            raw: { dataType: "Binary", binaryValue: Buffer.from([1, 2]) },
          },
        },
      ],
      { queueArn: "arn:aws:sqs:us-east-1:000000000000:jobs", region: "us-east-1" },
    );
    assert.deepEqual(event, {
      Records: [
        {
          messageId: "m-1",
          receiptHandle: "rh-1",
          body: "hello",
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: "1700000000000",
            SenderId: "AKIDEXAMPLE",
            ApproximateFirstReceiveTimestamp: "1700000000001",
          },
          messageAttributes: {
            color: { stringValue: "red", stringListValues: [], binaryListValues: [], dataType: "String" },
            raw: { binaryValue: "AQI=", stringListValues: [], binaryListValues: [], dataType: "Binary" },
          },
          md5OfBody: "5d41402abc4b2a76b9719d911017c592",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:jobs",
          awsRegion: "us-east-1",
        },
      ],
    });
  });
});

describe("failedMessageIds", () => {
  const ids = ["a", "b", "c"];
  const cases: [string, string, ReturnType<typeof failedMessageIds>][] = [
    ["empty response", "", { all: false, ids: new Set() }],
    ["null response", "null", { all: false, ids: new Set() }],
    ["no list", "{}", { all: false, ids: new Set() }],
    ["null list", '{"batchItemFailures":null}', { all: false, ids: new Set() }],
    ["empty list", '{"batchItemFailures":[]}', { all: false, ids: new Set() }],
    [
      "two failures",
      '{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"c"}]}',
      { all: false, ids: new Set(["a", "c"]) },
    ],
    ["invalid JSON fails all", "{nope", { all: true }],
    ["unknown id fails all", '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}', { all: true }],
    ["empty id fails all", '{"batchItemFailures":[{"itemIdentifier":""}]}', { all: true }],
    ["null id fails all", '{"batchItemFailures":[{"itemIdentifier":null}]}', { all: true }],
    ["list not an array fails all", '{"batchItemFailures":"a"}', { all: true }],
  ];
  for (const [name, payload, want] of cases)
    it(name, () => assert.deepEqual(failedMessageIds(payload, ids), want));
});
