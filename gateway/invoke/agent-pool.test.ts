// The minimal agent client against real sockets: framing (Content-Length, chunked, split anywhere), keep-alive
// reuse, the response bound, replies it must refuse, and cancellation.
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, test } from "node:test";
import { AgentTransportError, ResponseTooLarge, type AgentResponse } from "./agent-connection.js";
import { AgentPool } from "./agent-pool.js";
import { Cancellation } from "./cancellation.js";

/** One request through the pool's callback, as a promise. */
const send = (
  pool: AgentPool,
  bytes: Buffer,
  maxBytes: number,
  signal: Cancellation,
): Promise<AgentResponse> =>
  new Promise((resolve, reject) =>
    pool.call(bytes, maxBytes, signal, (error, response) => (error ? reject(error) : resolve(response!))),
  );

const servers: Server[] = [];
after(() => servers.forEach((server) => server.close()));

/**
 * A TCP server that answers every complete request with `reply(requestNumber)`, written in `pieces`; with
 * `pauseMs`, each piece is written that long after the one before, so each arrives in a read of its own.
 */
async function agent(
  reply: (n: number) => string | Buffer,
  pieces = 1,
  pauseMs = 0,
): Promise<{ pool: AgentPool; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    let pending = "";
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      for (;;) {
        const headEnd = pending.indexOf("\r\n\r\n");
        if (headEnd === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, headEnd))?.[1] ?? 0);
        if (pending.length < headEnd + 4 + length) return;
        pending = pending.slice(headEnd + 4 + length);
        const bytes = Buffer.from(reply(++count));
        const step = Math.ceil(bytes.length / pieces);
        for (let at = 0, pause = 0; at < bytes.length; at += step, pause += pauseMs) {
          const piece = bytes.subarray(at, at + step);
          if (pause === 0) socket.write(piece);
          else setTimeout(() => socket.write(piece), pause);
        }
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { pool: new AgentPool("127.0.0.1", port), sockets };
}

const request = (body = "{}") =>
  Buffer.from(
    `POST /invoke HTTP/1.1\r\nhost: x\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

test("Content-Length replies, split in many pieces, reuse one keep-alive connection", async () => {
  const { pool, sockets } = await agent((n) => {
    const body = `{"n":${n}}`;
    return `HTTP/1.1 200 OK\r\nX-Kappa-Function-Error: Unhandled\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
  }, 7);
  for (let i = 1; i <= 5; i++) {
    const reply = await send(pool, request(), 1000, new Cancellation());
    assert.equal(reply.status, 200);
    assert.equal(reply.functionError, "Unhandled");
    assert.equal(reply.body.toString(), `{"n":${i}}`);
  }
  assert.equal(sockets.size, 1);
  pool.close(true);
});

test("whole replies in one read each keep their own body: a later read into the shared buffer changes none", async () => {
  const { pool } = await agent((n) => {
    const body = `{"reply":${n},"pad":"${String(n).repeat(40)}"}`;
    return `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
  });
  const replies: AgentResponse[] = [];
  for (let i = 1; i <= 3; i++) replies.push(await send(pool, request(), 1000, new Cancellation()));
  replies.forEach((reply, i) =>
    assert.equal(reply.body.toString(), `{"reply":${i + 1},"pad":"${String(i + 1).repeat(40)}"}`),
  );
  pool.close(true);
});

test("chunked replies are decoded, with extensions and trailers, however they are split", async () => {
  const body = '7;ext=1\r\n{"a":1,\r\n4\r\n"b":\r\n2\r\n2}\r\n0\r\nx-trailer: 1\r\n\r\n';
  for (const pieces of [1, 3, 17, 200]) {
    const { pool } = await agent(
      () => `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${body}`,
      pieces,
    );
    const reply = await send(pool, request(), 1000, new Cancellation());
    assert.equal(reply.body.toString(), '{"a":1,"b":2}');
    pool.close(true);
  }
});

test("a reply whose head and body arrive in separate reads is kept whole, framed either way", async () => {
  // The client reads every connection into one shared buffer: what a later read overwrites must have been copied.
  const body = '{"first":"aaaaaaaaaaaaaaaa","second":"bbbbbbbbbbbbbbbb","third":"cccccccccccccccc"}';
  const chunks = `20\r\n${body.slice(0, 32)}\r\n${(body.length - 32).toString(16)}\r\n${body.slice(32)}\r\n0\r\n\r\n`;
  const replies = [
    `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${chunks}`,
  ];
  for (const reply of replies) {
    for (const pieces of [3, 5]) {
      const { pool } = await agent(() => reply, pieces, 15);
      const answer = await send(pool, request(), 2000, new Cancellation());
      assert.equal(answer.body.toString(), body, `${pieces} pieces of ${reply.slice(0, 40)}`);
      pool.close(true);
    }
  }
});

test("a reply over the bound is ResponseTooLarge, by its Content-Length or as chunks arrive", async () => {
  const big = "x".repeat(2000);
  const sized = await agent(() => `HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n${big}`);
  await assert.rejects(send(sized.pool, request(), 1000, new Cancellation()), ResponseTooLarge);
  const chunked = await agent(
    () => `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7d0\r\n${big}\r\n0\r\n\r\n`,
    10,
  );
  await assert.rejects(send(chunked.pool, request(), 1000, new Cancellation()), ResponseTooLarge);
  sized.pool.close(true);
  chunked.pool.close(true);
});

test("replies it does not understand fail in transport and close the connection", async () => {
  for (const reply of [
    "garbage\r\n\r\n",
    "HTTP/1.1 200 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}extra",
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
  ]) {
    const { pool } = await agent(() => reply);
    await assert.rejects(send(pool, request(), 1000, new Cancellation()), AgentTransportError, reply);
    pool.close(true);
  }
});

test("cancelling a call closes its connection and rejects with the reason; a refused connect fails", async () => {
  const { pool, sockets } = await agent(() => ""); // never answers
  const signal = new Cancellation();
  const call = send(pool, request(), 1000, signal);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const reason = new Error("timed out");
  signal.abort(reason);
  await assert.rejects(call, (error) => error === reason);
  const [socket] = sockets;
  await new Promise((resolve) => (socket!.destroyed ? resolve(undefined) : socket!.once("close", resolve)));
  pool.close(true);

  const dead = new AgentPool("127.0.0.1", 1);
  await assert.rejects(send(dead, request(), 1000, new Cancellation()), /ECONNREFUSED/);
  dead.close(true);
});
