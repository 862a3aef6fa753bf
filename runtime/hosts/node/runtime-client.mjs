// A minimal client of the Lambda Runtime API (plain JavaScript: this file runs under whichever Node binary the
// function uses, with no build step). It speaks just enough HTTP/1.1 over one keep-alive socket: the agent is
// the only server it talks to, and node:http's client costs several times more CPU per call on this hot path.
import net from "node:net";

const HEADER_END = Buffer.from("\r\n\r\n");
const NEXT_PATH = "/2018-06-01/runtime/invocation/next";

function checkNext(res) {
  if (res.status !== 200) throw new Error(`/next answered ${res.status}: ${res.body}`);
  return res;
}

export class RuntimeClient {
  constructor(address, socketPath) {
    this.socketPath = socketPath;
    const [host, port] = address.split(":");
    this.host = host;
    this.port = Number(port);
    this.socket = undefined;
    this.pending = [];
    this.buffer = Buffer.alloc(0);
  }

  connect() {
    const socket = this.socketPath
      ? net.connect({ path: this.socketPath })
      : net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on("data", (chunk) => this.onData(chunk));
    const fail = (err) => {
      if (this.socket === socket) this.socket = undefined;
      const pending = this.pending;
      this.pending = [];
      for (const p of pending) p.reject(err ?? new Error("the Runtime API closed the connection"));
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    return socket;
  }

  /** Sends one or more requests in a single write (HTTP/1.1 pipelining); resolves with their responses. */
  send(requests) {
    const socket = this.socket ?? this.connect();
    // While a handler runs, the idle socket must not keep the event loop alive (callbackWaitsForEmptyEventLoop).
    socket.ref();
    const parts = [];
    const answers = requests.map(({ method, path, headers = {}, body }) => {
      const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Length: ${payload.length}\r\n`;
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      parts.push(Buffer.from(head + "\r\n", "latin1"), payload);
      return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
    });
    socket.write(Buffer.concat(parts));
    return answers;
  }

  request(method, path, headers, body) {
    return this.send([{ method, path, headers, body }])[0];
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.pending.length > 0) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end === -1) return;
      const lines = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(":");
        headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length);
      // Header values are latin1 on the wire; the Runtime API's JSON headers (client context) are UTF-8 bytes.
      for (const name of Object.keys(headers))
        headers[name] = Buffer.from(headers[name], "latin1").toString("utf8");
      this.buffer = this.buffer.subarray(end + 4 + length);
      const pending = this.pending.shift();
      if (this.pending.length === 0) this.socket?.unref();
      pending.resolve({ status, headers, body });
    }
  }

  async prime() {
    const res = await this.request("GET", "/kappa/v1/prime");
    return JSON.parse(res.body.toString("utf8"));
  }

  async next() {
    return checkNext(await this.request("GET", NEXT_PATH));
  }

  /** Posts a result and asks for the next event in the same write: one round trip less per invocation. */
  async respondAndNext(requestId, text) {
    const [, next] = this.send([
      {
        method: "POST",
        path: `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
        headers: { "Content-Type": "application/json" },
        body: text,
      },
      { method: "GET", path: NEXT_PATH },
    ]);
    return checkNext(await next);
  }

  postError(requestId, error) {
    return this.postErrorTo(`/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`, error);
  }

  postInitError(error) {
    return this.postErrorTo("/2018-06-01/runtime/init/error", error);
  }

  postErrorTo(path, error) {
    return this.request(
      "POST",
      path,
      {
        "Content-Type": "application/vnd.aws.lambda.error+json",
        "Lambda-Runtime-Function-Error-Type": error.errorType,
      },
      JSON.stringify(error),
    );
  }
}
