import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseRequest, RawHttpServer, responseBytes } from "./raw-http-server.js";

describe("raw HTTP parsing", () => {
  it("parses pipelined requests one at a time", () => {
    const two = Buffer.from(
      "POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\nContent-Length: 4\r\nContent-Type: application/json\r\n\r\nnull" +
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    );
    const first = parseRequest(two);
    assert.ok(first && first !== "bad");
    assert.equal(first.request.method, "POST");
    assert.equal(first.request.headers["content-type"], "application/json");
    assert.equal(first.request.body.toString(), "null");
    const second = parseRequest(first.rest);
    assert.ok(second && second !== "bad");
    assert.equal(second.request.path, "/2018-06-01/runtime/invocation/next");
    assert.equal(second.rest.length, 0);
  });
  it("waits for a body that has not fully arrived", () => {
    assert.equal(parseRequest(Buffer.from("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")), undefined);
    assert.equal(parseRequest(Buffer.from("GET /x HTTP/1.1\r\nHost")), undefined);
  });
  it("refuses what our host never sends", () => {
    assert.equal(parseRequest(Buffer.from("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")), "bad");
    assert.equal(parseRequest(Buffer.from("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n")), "bad");
  });
  it("writes responses with a content length, header values as UTF-8", () => {
    const bytes = responseBytes(200, { "lambda-runtime-client-context": '{"a":"ü"}' }, "hi");
    assert.equal(
      bytes.toString("utf8"),
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nlambda-runtime-client-context: {"a":"ü"}\r\n\r\nhi',
    );
  });
});

describe("raw HTTP server", () => {
  it("holds the answer to a pipelined request and writes it with its successor's, in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kappa-raw-"));
    const path = join(dir, "api.sock");
    const server = new RawHttpServer((request, reply) => {
      if (request.method === "POST") reply.send(202, {}, "first");
      else setTimeout(() => reply.send(200, {}, "second"), 20);
    });
    await server.listen(path);
    try {
      const socket = connect({ path });
      const chunks: string[] = [];
      const both = new Promise<void>((resolve) =>
        socket.on("data", (chunk: Buffer) => {
          chunks.push(chunk.toString());
          if (chunks.join("").includes("second")) resolve();
        }),
      );
      socket.write(
        "POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\nContent-Length: 4\r\n\r\nnull" +
          "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      );
      await both;
      socket.destroy();
      assert.equal(chunks.length, 1, "both answers arrive in one write");
      assert.ok(chunks[0]!.indexOf("first") < chunks[0]!.indexOf("second"));
      assert.match(chunks[0]!, /^HTTP\/1\.1 202 Accepted\r\n/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers a request without a successor at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kappa-raw-"));
    const path = join(dir, "api.sock");
    const server = new RawHttpServer((_request, reply) => reply.send(202, {}, "alone"));
    await server.listen(path);
    try {
      const socket = connect({ path });
      const answer = new Promise<string>((resolve) =>
        socket.once("data", (chunk: Buffer) => resolve(chunk.toString())),
      );
      socket.write("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
      assert.match(await answer, /alone$/);
      socket.destroy();
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
