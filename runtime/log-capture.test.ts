import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogCapture, LogTail, MAX_LINE_BYTES, TAIL_BYTES } from "./log-capture.js";

const fixedNow = () => new Date("2026-01-01T00:00:00.000Z");

function capture() {
  const out: Array<Record<string, unknown>> = [];
  const logs = new LogCapture("ns/fn", (line) => out.push(JSON.parse(line)), fixedNow);
  return { logs, out };
}

describe("LogCapture", () => {
  it("splits chunks into lines and tags them with the current request id", () => {
    const { logs, out } = capture();
    logs.setInvocation({ requestId: "r1" });
    logs.push("stdout", "hel");
    logs.push("stdout", "lo\nwor");
    logs.push("stdout", "ld\r\n");
    logs.push("stderr", "oops\n");
    assert.deepEqual(out, [
      {
        time: "2026-01-01T00:00:00.000Z",
        level: "info",
        requestId: "r1",
        function: "ns/fn",
        stream: "stdout",
        message: "hello",
      },
      {
        time: "2026-01-01T00:00:00.000Z",
        level: "info",
        requestId: "r1",
        function: "ns/fn",
        stream: "stdout",
        message: "world",
      },
      {
        time: "2026-01-01T00:00:00.000Z",
        level: "error",
        requestId: "r1",
        function: "ns/fn",
        stream: "stderr",
        message: "oops",
      },
    ]);
  });
  it("leaves lines between invocations without a request id, and flushes unterminated output", () => {
    const { logs, out } = capture();
    logs.push("stdout", "init line\npartial");
    assert.equal(out.length, 1);
    assert.equal(out[0]!.requestId, undefined);
    logs.flush();
    assert.equal(out[1]!.message, "partial");
  });
  it("cuts runaway lines", () => {
    const { logs, out } = capture();
    logs.push("stdout", "a".repeat(MAX_LINE_BYTES * 2 + 5));
    assert.equal(out.length, 2);
    logs.flush();
    assert.equal((out[2]!.message as string).length, 5);
  });
  it("feeds the invocation's tail, including the agent's own notes", () => {
    const { logs } = capture();
    const tail = new LogTail();
    logs.setInvocation({ requestId: "r1", tail });
    logs.push("stdout", "one\n");
    logs.note("END");
    logs.setInvocation(undefined);
    logs.push("stdout", "after\n");
    assert.equal(Buffer.from(tail.base64(), "base64").toString(), "one\nEND\n");
  });
});

describe("LogTail", () => {
  it("keeps the last 4 KB", () => {
    const tail = new LogTail();
    for (let i = 0; i < 1000; i++) tail.append(`line ${i}`);
    const text = Buffer.from(tail.base64(), "base64").toString();
    assert.equal(Buffer.byteLength(text), TAIL_BYTES);
    assert.ok(text.endsWith("line 999\n"));
  });
});
