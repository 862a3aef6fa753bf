import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect, createServer, type AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { bindListenHandle, ListenError } from "./listen-handle.js";

const CHILD_SERVER = `
process.on("message", (_message, handle) => {
  require("node:net").createServer((socket) => socket.end("hi")).listen(handle, () => process.send("listening"));
});`;

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let data = "";
    socket.on("data", (chunk) => (data += chunk));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
}

describe("bindListenHandle", () => {
  it("binds a free port without accepting; a child process listening on the handle serves it", async () => {
    const { handle, port } = bindListenHandle("127.0.0.1", 0);
    assert.ok(port > 0);
    const child = spawn(process.execPath, ["-e", CHILD_SERVER], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    try {
      child.send("handle", handle as never);
      await new Promise((resolve) => child.once("message", resolve));
      assert.equal(await fetchText(port), "hi");
    } finally {
      child.kill();
      handle.close();
    }
  });

  it("names the address and the likely cause when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      assert.throws(
        () => bindListenHandle("127.0.0.1", port),
        (err: unknown) =>
          err instanceof ListenError && /cannot bind 127\.0\.0\.1:\d+: is the port in use/.test(err.message),
      );
    } finally {
      taken.close();
    }
  });
});
