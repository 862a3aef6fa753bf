// The function port's server against a real socket, where it meets write coalescing: a response held for the
// end of the turn must not be discarded by a close in that same turn.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { Http1Server } from "./http1-server.js";

test("a response written in the turn the server starts draining still reaches the client", async () => {
  const server: Http1Server = new Http1Server(
    (exchange) => {
      exchange.respond(200, [["content-type", "text/plain"]], "answered");
      // The connection is idle again (keep-alive), so drain closes it at once, in this same turn.
      void server.drain(1_000);
    },
    { headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000, keepAliveTimeoutMs: 5_000 },
  );
  const port = await server.listen(0, "127.0.0.1");
  try {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString("latin1")));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.on("error", () => {});
    socket.write("GET /x HTTP/1.1\r\nHost: example\r\n\r\n");
    await closed;
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.ok(reply.endsWith("\r\n\r\nanswered"), `whole response expected, got ${JSON.stringify(reply)}`);
  } finally {
    await server.close();
  }
});
