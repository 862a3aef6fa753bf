// The function port's connections read into one shared buffer (shared-reads.ts): whatever a connection keeps past
// a read (a partial head, body parts, pipelined requests, a chunked body's pieces) must be its own copy, or the
// next read on any connection overwrites it. Each case runs with shared reads and with the sockets' own streams.
import assert from "node:assert/strict";
import { connect, Socket } from "node:net";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Http1Server } from "./http1-server.js";
import { isSharedReadBuffer, sharedReads } from "./shared-reads.js";

const limits = { headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000 };

/** Echoes each request's body; a request to /slow answers 100 ms later, while other reads go on. */
async function echoServer(sharedReads: boolean): Promise<{ server: Http1Server; port: number }> {
  const server = new Http1Server(
    (exchange) => {
      void exchange.readBody(1024 * 1024).then(async (body) => {
        if (exchange.url === "/slow") await sleep(100);
        exchange.respond(200, [["x-url", exchange.url]], Buffer.from(body));
      });
    },
    limits,
    { sharedReads },
  );
  return { server, port: await server.listen(0, "127.0.0.1") };
}

/** A client that writes its pieces one read apart and collects `count` responses' bodies, in order. */
async function exchange(port: number, pieces: string[], count: number): Promise<string[]> {
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  let received = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  for (const piece of pieces) {
    socket.write(piece);
    await sleep(15);
  }
  const bodies: string[] = [];
  const deadline = Date.now() + 5_000;
  while (bodies.length < count && Date.now() < deadline) {
    const text = received.toString("latin1");
    let at = 0;
    bodies.length = 0;
    while (bodies.length < count) {
      const headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd === -1) break;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(at, headEnd))?.[1]);
      if (text.length < headEnd + 4 + length) break;
      bodies.push(received.subarray(headEnd + 4, headEnd + 4 + length).toString("utf8"));
      at = headEnd + 4 + length;
    }
    if (bodies.length < count) await sleep(10);
  }
  socket.destroy();
  return bodies;
}

const post = (path: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

for (const shared of [true, false]) {
  describe(`the function port's reads (${shared ? "shared buffer" : "socket streams"})`, () => {
    test("a head and a body split over many reads, and a request pipelined in the last one, arrive intact", async () => {
      const { server, port } = await echoServer(shared);
      try {
        const first = post("/a", "first body: ".padEnd(300, "1"));
        const second = post("/b", "second body ✓");
        const pieces = [
          first.slice(0, 7),
          first.slice(7, 30),
          first.slice(30, 120),
          first.slice(120) + second,
        ];
        assert.deepEqual(await exchange(port, pieces, 2), ["first body: ".padEnd(300, "1"), "second body ✓"]);
      } finally {
        await server.close();
      }
    });

    test("a chunked body whose chunks arrive in separate reads is decoded whole", async () => {
      const { server, port } = await echoServer(shared);
      try {
        const pieces = [
          "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
          "lo\r\n6\r\n world",
          "\r\n0\r\n\r\n",
        ];
        assert.deepEqual(await exchange(port, pieces, 1), ["hello world"]);
      } finally {
        await server.close();
      }
    });

    test("requests pipelined behind a slow one keep their bytes while other connections read", async () => {
      const { server, port } = await echoServer(shared);
      try {
        const waiting = exchange(
          port,
          [post("/slow", "slow") + post("/p1", "pipelined one") + post("/p2", "two")],
          3,
        );
        // Other connections' reads overwrite a shared buffer meanwhile.
        const others = await Promise.all(
          Array.from({ length: 8 }, (_, i) => exchange(port, [post(`/o${i}`, "o".repeat(2_000 + i))], 1)),
        );
        assert.deepEqual(
          others.map((bodies) => bodies[0]?.length),
          Array.from({ length: 8 }, (_, i) => 2_000 + i),
        );
        assert.deepEqual(await waiting, ["slow", "pipelined one", "two"]);
      } finally {
        await server.close();
      }
    });
  });
}

test("a socket with no handle to take over is left as it is", () => {
  const socket = new Socket();
  assert.equal(
    sharedReads(socket, () => assert.fail("no reads expected")),
    undefined,
  );
  assert.equal(socket.destroyed, false);
  socket.destroy();
});

test("only views of the shared buffer count as shared", () => {
  assert.equal(isSharedReadBuffer(Buffer.from("own bytes")), false);
  assert.equal(isSharedReadBuffer(Buffer.allocUnsafe(64 * 1024)), false);
});
