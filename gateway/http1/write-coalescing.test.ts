// Held writes against real loopback sockets: nothing leaves before the turn ends, everything leaves then and in
// order, end() still follows the held bytes, a socket held twice is released once, and the cap releases early.
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, test } from "node:test";
import { MAX_HELD, holdWrites } from "./write-coalescing.js";

let server: Server | undefined;
const received = new Map<number, { bytes: string; ended: Promise<string> }>();
after(() => server?.close());

/** A client socket whose peer records what it reads, keyed by the client's local port. */
async function pair(): Promise<{ client: Socket; peer: () => { bytes: string; ended: Promise<string> } }> {
  if (!server) {
    server = createServer((socket) => {
      const entry = { bytes: "", ended: Promise.resolve("") };
      entry.ended = new Promise((resolve) => {
        socket.on("data", (chunk) => (entry.bytes += chunk.toString("latin1")));
        socket.on("end", () => resolve(entry.bytes));
      });
      received.set(socket.remotePort!, entry);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  }
  const port = (server.address() as { port: number }).port;
  const client = connect(port, "127.0.0.1");
  client.setNoDelay(true);
  await new Promise((resolve) => client.once("connect", resolve));
  await until(() => received.has(client.localPort!));
  return { client, peer: () => received.get(client.localPort!)! };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(condition(), "timed out waiting");
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));

test("a held write stays in the socket until the turn ends, then leaves whole and in order", async () => {
  const { client, peer } = await pair();
  holdWrites(client);
  client.write("first ");
  client.write("second");
  // Unheld, a small write to a connected socket is handed to the kernel at once and writableLength is 0.
  assert.equal(client.writableCorked, 1);
  assert.equal(client.writableLength, "first second".length);
  await turnEnd();
  assert.equal(client.writableCorked, 0);
  await until(() => peer().bytes === "first second");
  client.end();
  assert.equal(await peer().ended, "first second");
});

test("end() in the same turn sends the held bytes before the connection's end", async () => {
  const { client, peer } = await pair();
  holdWrites(client);
  client.write("held ");
  client.end("last");
  assert.equal(await peer().ended, "held last");
  await turnEnd();
});

test("a socket held twice in one turn is corked once and released", async () => {
  const { client, peer } = await pair();
  holdWrites(client);
  client.write("a");
  holdWrites(client);
  client.write("b");
  assert.equal(client.writableCorked, 1);
  await turnEnd();
  assert.equal(client.writableCorked, 0);
  await until(() => peer().bytes === "ab");
  client.end();
});

test(`holding more than ${MAX_HELD} sockets in one turn releases the ones held before`, async () => {
  const sockets = await Promise.all(Array.from({ length: MAX_HELD + 1 }, () => pair()));
  await turnEnd();
  for (const [i, { client }] of sockets.entries()) {
    holdWrites(client);
    client.write(`n${i}`);
  }
  for (const { client } of sockets.slice(0, MAX_HELD)) assert.equal(client.writableCorked, 0);
  const last = sockets[MAX_HELD]!;
  assert.equal(last.client.writableCorked, 1);
  await turnEnd();
  assert.equal(last.client.writableCorked, 0);
  for (const [i, { client, peer }] of sockets.entries()) {
    await until(() => peer().bytes === `n${i}`);
    client.end();
  }
});
