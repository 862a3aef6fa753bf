// What one POST /invoke puts on the wire, read back byte for byte by a real socket: the event as a string or as
// bytes, multi-byte characters, and a head that is not ASCII (written as Latin-1, as HTTP reads it).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, test } from "node:test";
import { startAgentCall, type AgentOutcome, type InvokeRequest } from "./agent-call.js";
import { AgentPool } from "./agent-pool.js";
import { Cancellation } from "./cancellation.js";

/** One call through startAgentCall's callback, as a promise. */
const callAgent = (pool: AgentPool, request: InvokeRequest, signal: Cancellation, max: number) =>
  new Promise<AgentOutcome>((resolve, reject) =>
    startAgentCall(pool, request, signal, max, (error, outcome) =>
      error ? reject(error) : resolve(outcome!),
    ),
  );

const servers: Server[] = [];
after(() => servers.forEach((server) => server.close()));

/** An agent that answers {} to each request and hands over the raw bytes of the request it got. */
async function recordingAgent(): Promise<{ pool: AgentPool; requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      const headEnd = pending.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const length = Number(/content-length: (\d+)/i.exec(pending.toString("latin1", 0, headEnd))?.[1]);
      if (pending.length < headEnd + 4 + length) return;
      requests.push(pending.subarray(0, headEnd + 4 + length));
      pending = pending.subarray(headEnd + 4 + length);
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { pool: new AgentPool("127.0.0.1", port), requests };
}

const invoke = (payload: Buffer | string, extra: Partial<InvokeRequest> = {}): InvokeRequest => ({
  requestId: "11111111-2222-3333-4444-555555555555",
  payload,
  deadlineMs: 1_700_000_000_000,
  ...extra,
});

function split(request: Buffer): { head: string; body: Buffer } {
  const headEnd = request.indexOf("\r\n\r\n");
  return { head: request.toString("latin1", 0, headEnd), body: request.subarray(headEnd + 4) };
}

test(
  "a string event with multi-byte characters arrives as its UTF-8 bytes with their length",
  { timeout: 10_000 },
  async () => {
    const { pool, requests } = await recordingAgent();
    const event = JSON.stringify({ body: "grüße 😀 日本", n: 1 });
    const outcome = await callAgent(pool, invoke(event), new Cancellation(), 1000);
    assert.equal(outcome.kind, "done");
    const { head, body } = split(requests[0]!);
    assert.ok(Buffer.byteLength(event) > event.length, "the event has multi-byte characters");
    assert.match(head, new RegExp(`\r\ncontent-length: ${Buffer.byteLength(event)}\r\n`));
    assert.deepEqual(body, Buffer.from(event, "utf8"));
    pool.close(true);
  },
);

test(
  "a Buffer event arrives byte-exact, the same as the same event as a string",
  { timeout: 10_000 },
  async () => {
    const { pool, requests } = await recordingAgent();
    const event = JSON.stringify({ body: "ünïcode", items: [1, 2, 3] });
    await callAgent(pool, invoke(Buffer.from(event)), new Cancellation(), 1000);
    await callAgent(pool, invoke(event), new Cancellation(), 1000);
    assert.equal(requests.length, 2);
    assert.deepEqual(requests[0], requests[1]);
    pool.close(true);
  },
);

test(
  "a head with a Latin-1 header value is written as Latin-1 while the event stays UTF-8",
  { timeout: 10_000 },
  async () => {
    const { pool, requests } = await recordingAgent();
    const event = JSON.stringify({ name: "café" });
    const arn = "arn:aws:lambda:local:000000000000:function:caf\u00e9";
    await callAgent(pool, invoke(event, { invokedArn: arn }), new Cancellation(), 1000);
    const { head, body } = split(requests[0]!);
    // One byte 0xE9 for é in the head (Latin-1), two bytes C3 A9 in the body (UTF-8).
    assert.ok(head.includes(arn), head);
    assert.deepEqual(body, Buffer.from(event, "utf8"));
    pool.close(true);
  },
);

test("an event larger than the one-write size still arrives whole", { timeout: 10_000 }, async () => {
  const { pool, requests } = await recordingAgent();
  const event = JSON.stringify({ body: "é".repeat(100_000) });
  await callAgent(pool, invoke(event), new Cancellation(), 1000);
  const { head, body } = split(requests[0]!);
  assert.match(head, new RegExp(`\r\ncontent-length: ${Buffer.byteLength(event)}\r\n`));
  assert.deepEqual(body, Buffer.from(event, "utf8"));
  pool.close(true);
});

test(
  "a header value HTTP does not allow is refused before anything is sent; a tab is allowed",
  { timeout: 10_000 },
  async () => {
    const { pool, requests } = await recordingAgent();
    for (const bad of ["a\r\nx-injected: 1", "nul\0", "del\x7f"]) {
      const outcome = await callAgent(pool, invoke("{}", { clientContext: bad }), new Cancellation(), 1000);
      assert.equal(outcome.kind, "failed", JSON.stringify(bad));
    }
    assert.equal(requests.length, 0);
    const outcome = await callAgent(pool, invoke("{}", { clientContext: "a\tb" }), new Cancellation(), 1000);
    assert.equal(outcome.kind, "done");
    assert.ok(split(requests[0]!).head.includes("a\tb"));
    pool.close(true);
  },
);
