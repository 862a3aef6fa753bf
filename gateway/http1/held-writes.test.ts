// Held writes against real loopback sockets, once with writes handed to the socket's handle and once through the
// socket's stream (a Node without the handle's write API): everything leaves at the turn's end, whole and in order,
// writeNow sends at once behind what is held, end() follows the held bytes, the cap releases early, a peer that
// stops reading holds the writer back until it reads again, and a write to a reset connection destroys the socket
// with the write's error.
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { disableHandleWrites, handleWritesAvailable } from "./handle-writes.js";
import { HeldWrites, MAX_HELD } from "./held-writes.js";

interface Peer {
  socket: Socket;
  bytes: Buffer[];
  ended: Promise<Buffer>;
}

let server: Server | undefined;
const peers = new Map<number, Peer>();
const clients: Socket[] = [];
// A test that failed may leave its sockets open: close everything, or the process would wait on them.
after(() => {
  for (const client of clients) client.destroy();
  for (const peer of peers.values()) peer.socket.destroy();
  server?.close();
});

/** A client socket whose peer records what it reads (or, with `paused`, reads nothing until resumed). */
async function pair(options: { paused?: boolean; waitForConnect?: boolean; byName?: boolean } = {}): Promise<{
  client: Socket;
  writes: HeldWrites;
  peer: () => Peer;
}> {
  if (!server) {
    server = createServer({ pauseOnConnect: true }, (socket) => {
      const peer: Peer = { socket, bytes: [], ended: Promise.resolve(Buffer.alloc(0)) };
      peer.ended = new Promise((resolve) => {
        socket.on("data", (chunk: Buffer) => peer.bytes.push(chunk));
        socket.on("end", () => resolve(Buffer.concat(peer.bytes)));
      });
      socket.on("error", () => undefined);
      peers.set(socket.remotePort!, peer);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  }
  const port = (server.address() as { port: number }).port;
  // By name, the socket is still looking up its address (no connection begun, 20 ms) when the first writes come.
  const client = options.byName
    ? connect({ port, host: "kappa.test", lookup: slowLookup as never })
    : connect(port, "127.0.0.1");
  clients.push(client);
  client.setNoDelay(true);
  const writes = new HeldWrites(client);
  if (options.waitForConnect !== false) {
    await new Promise((resolve) => client.once("connect", resolve));
    await until(() => peers.has(client.localPort!));
    if (!options.paused) peers.get(client.localPort!)!.socket.resume();
  }
  return { client, writes, peer: () => peers.get(client.localPort!)! };
}

function slowLookup(
  _host: string,
  options: { all?: boolean },
  done: (error: null, ...found: unknown[]) => void,
) {
  const found = options.all ? [[{ address: "127.0.0.1", family: 4 }]] : ["127.0.0.1", 4];
  setTimeout(() => done(null, ...found), 20);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(condition(), "timed out waiting");
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));
const received = (peer: Peer) => Buffer.concat(peer.bytes).toString("latin1");

for (const mode of ["to the handle", "through the stream"] as const) {
  describe(`writes ${mode}`, () => {
    before(() => {
      if (mode === "through the stream") disableHandleWrites();
      assert.equal(handleWritesAvailable(), mode === "to the handle");
    });

    /** Counts the writes that went through the socket's stream; a write to the handle goes around it. */
    const countStreamWrites = (client: Socket): (() => number) => {
      let count = 0;
      const write = client.write.bind(client) as (...args: unknown[]) => boolean;
      client.write = ((...args: unknown[]) => (count++, write(...args))) as typeof client.write;
      return () => count;
    };
    const assertPath = (streamWrites: () => number) =>
      mode === "to the handle" ? assert.equal(streamWrites(), 0) : assert.ok(streamWrites() > 0);

    test("held writes leave when the turn ends, whole and in order, strings as Latin-1", async () => {
      const { client, writes, peer } = await pair();
      const streamWrites = countStreamWrites(client);
      assert.equal(writes.write("first "), true);
      assert.equal(writes.write(Buffer.from([0x73, 0xe9, 0x63, 0x6f, 0x6e, 0x64])), true);
      assert.equal(writes.write(" thïrd"), true);
      assert.equal(writes.holding, true);
      await turnEnd();
      assert.equal(writes.holding, false);
      await until(() => received(peer()) === "first sécond thïrd");
      assertPath(streamWrites);
      client.end();
      assert.equal((await peer().ended).length, 18);
    });

    test("writeNow sends at once, after what is held", async () => {
      const { client, writes, peer } = await pair();
      const streamWrites = countStreamWrites(client);
      assert.equal(writes.writeNow("now "), true);
      // Nothing waits for the turn's end (write() would hold it), and a stream write happened already.
      assert.equal(writes.holding, false);
      if (mode === "through the stream") assert.equal(streamWrites(), 1);
      writes.write("held ");
      assert.equal(writes.holding, true);
      assert.equal(writes.writeNow("also now "), true);
      assert.equal(writes.holding, false);
      await until(() => received(peer()) === "now held also now ");
      writes.write("later");
      await turnEnd();
      await until(() => received(peer()) === "now held also now later");
      assertPath(streamWrites);
      client.end();
    });

    test("end() sends what is held, then the connection's end", async () => {
      const { writes, peer } = await pair();
      writes.write("held ");
      writes.end("last");
      assert.equal((await peer().ended).toString("latin1"), "held last");
    });

    test(`holding more than ${MAX_HELD} sockets in one turn releases the ones held before`, async () => {
      const sockets = await Promise.all(Array.from({ length: MAX_HELD + 1 }, () => pair()));
      await turnEnd();
      for (const [i, { writes }] of sockets.entries()) writes.write(`n${i}`);
      for (const { writes } of sockets.slice(0, MAX_HELD)) assert.equal(writes.holding, false);
      assert.equal(sockets[MAX_HELD]!.writes.holding, true);
      await turnEnd();
      for (const [i, { client, peer }] of sockets.entries()) {
        await until(() => received(peer()) === `n${i}`);
        client.end();
      }
    });

    test("a peer that stops reading holds the writer back; nothing is lost or reordered", async () => {
      const { client, writes, peer } = await pair({ paused: true });
      const streamWrites = countStreamWrites(client);
      const chunk = (n: number) => Buffer.alloc(64 * 1024, n % 251);
      let sent = 0;
      let accepted = true;
      // The kernel's buffers fill within some megabytes; the bound only stops a broken writer.
      while (accepted && sent < 4_000) {
        accepted = writes.write(chunk(sent++));
        await turnEnd();
      }
      assert.equal(accepted, false, "the writer never reported the socket full");
      let drained = false;
      writes.whenDrained(() => (drained = true));
      await turnEnd();
      assert.equal(drained, false);
      peer().socket.resume();
      await until(() => drained);
      writes.end();
      const all = await peer().ended;
      assert.equal(all.length, sent * 64 * 1024);
      for (let n = 0; n < sent; n++) assert.equal(all[n * 64 * 1024 + 100], n % 251, `chunk ${n}`);
      assertPath(streamWrites);
    });

    test("a write to a connection the peer reset destroys the socket with the write's error", async () => {
      const { client, writes, peer } = await pair();
      // A client that is not reading: only its writes can learn of the reset.
      (client as unknown as { _handle: { readStop(): number } })._handle.readStop();
      const failed = new Promise<NodeJS.ErrnoException>((resolve) => client.once("error", resolve));
      peer().socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 50 && !client.destroyed; i++) {
        writes.write("after the reset");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(client.destroyed, true, "still open after 50 writes to a reset connection");
      const error = await failed;
      assert.equal(error.syscall, "write");
      assert.ok(["ECONNRESET", "EPIPE"].includes(error.code!), error.message);
    });

    test("a socket still connecting is written through its stream, in order with what follows", async () => {
      const { client, writes, peer } = await pair({ waitForConnect: false, byName: true });
      const connected = new Promise((resolve) => client.once("connect", resolve));
      assert.equal(client.connecting, true);
      writes.write("while connecting; ");
      await turnEnd();
      await connected;
      await until(() => peers.has(client.localPort!));
      peer().socket.resume();
      writes.write("after it");
      writes.end();
      assert.equal((await peer().ended).toString("latin1"), "while connecting; after it");
    });

    test("a socket whose stream holds data, buffered or corked, gets held writes after that data", async () => {
      const { client, writes, peer } = await pair({ paused: true });
      // The stream's own writes until the kernel is full and the stream holds several of them.
      let chunks = 0;
      while (client.writableLength < 4 * 64 * 1024 && chunks < 4_000) {
        client.write(Buffer.alloc(64 * 1024, 1));
        chunks++;
      }
      assert.ok(client.writableLength >= 4 * 64 * 1024);
      writes.write("held after the buffered; ");
      await turnEnd();
      client.cork();
      client.write("corked; ", "latin1");
      writes.write("held after the corked");
      await turnEnd();
      client.uncork();
      peer().socket.resume();
      writes.end();
      const all = (await peer().ended).toString("latin1");
      assert.equal(
        all.length,
        chunks * 64 * 1024 + "held after the buffered; corked; held after the corked".length,
      );
      assert.equal(all.slice(chunks * 64 * 1024), "held after the buffered; corked; held after the corked");
    });
  });
}
