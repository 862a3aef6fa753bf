// The function port as every client and every attacker sees it on the wire: keep-alive, HTTP/1.0, pipelining,
// framing, 100-continue, chunked bodies, request-smuggling guards, oversized and slow heads and bodies, garbage,
// aborted connections, many connections, header joining and methods. Raw sockets only (raw-http.ts): HTTP client
// libraries normalize away exactly what is tested here. A real gateway, a real agent answering with the event.
// The function port's server is gateway/http1/; several of these (refusals framed with content-length and date,
// requests pipelined behind a closing one never answered, absolute-form, unknown methods) node:http fails.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ScriptedAgent,
  echoResult,
  eventually,
  functionResource,
  respondWith,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type TestGateway,
} from "./support.js";
import { RawConnection, connectionHas, exchangeUntilClose, headerOf, type RawResponse } from "./raw-http.js";

/** The parts of the API Gateway 2.0 event (echoed back by the function) these tests look at. */
interface EchoEvent {
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded: boolean;
  requestContext: { http: { method: string; protocol: string } };
}

function eventOf(response: RawResponse): EchoEvent {
  assert.equal(response.status, 200, `expected 200 with the echoed event, got:\n${response.head}`);
  return JSON.parse(response.body.toString("utf8")) as EchoEvent;
}

/** Received bytes for a failure message, cut short. */
function show(raw: string): string {
  return JSON.stringify(raw.length > 800 ? `${raw.slice(0, 800)}...` : raw);
}

function bodyOf(event: EchoEvent): string {
  if (event.body === undefined) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

describe("function port on the wire", () => {
  let gw: TestGateway;
  let agent: ScriptedAgent;
  let port: number;
  const ns = uniquePrefix("wire");
  const echo = `/function/${ns}/echo`;
  const host = "wire.test";

  const get = (path = echo, extraHeaders = "") =>
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extraHeaders}\r\n`;
  const post = (path: string, body: string, extraHeaders = "") =>
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
    `Content-Length: ${Buffer.byteLength(body, "latin1")}\r\n${extraHeaders}\r\n${body}`;

  /** One request on a new connection, its response read, the connection closed by us. */
  async function once(bytes: string, options: { head?: boolean } = {}): Promise<RawResponse> {
    const connection = await RawConnection.open(port);
    try {
      await connection.write(bytes);
      return await connection.readResponse(options);
    } finally {
      connection.destroy();
    }
  }

  async function assertStillServing(what: string): Promise<void> {
    const response = await once(get(`${echo}?after=${encodeURIComponent(what)}`));
    assert.equal(
      response.status,
      200,
      `after ${what} the server no longer answers normally:\n${response.head}`,
    );
  }

  before(async () => {
    gw = await startTestGateway({
      limits: { headersTimeoutMs: 500, bodyTimeoutMs: 500, keepAliveTimeoutMs: 1_000 },
    });
    port = gw.gateway.port;
    agent = await ScriptedAgent.start(echoResult);
    gw.store.upsert(functionResource(ns, "echo", { concurrency: { perInstance: 250 } }));
    await gw.addInstance(ns, "echo", { url: agent.url, perInstance: 250 });
    await eventually(async () => assert.equal((await once(get())).status, 200));
  });
  after(async () => {
    await gw.close();
    await agent.stop();
    await stopTestRedis();
  });

  describe("connections", () => {
    test("keep-alive: two requests on one HTTP/1.1 connection, then Connection: close closes it", async () => {
      const connection = await RawConnection.open(port);
      try {
        for (const n of [1, 2]) {
          await connection.write(get(`${echo}?n=${n}`));
          const response = await connection.readResponse();
          assert.equal(eventOf(response).rawQueryString, `n=${n}`);
          assert.ok(!connectionHas(response, "close"), `response ${n} announced a close:\n${response.head}`);
          assert.equal(connection.closed, false, `the server closed the connection after response ${n}`);
        }
        await connection.write(get(`${echo}?n=3`, "Connection: close\r\n"));
        const last = await connection.readResponse();
        assert.equal(eventOf(last).rawQueryString, "n=3");
        assert.ok(connectionHas(last, "close"), `the response must say connection: close:\n${last.head}`);
        assert.ok(await connection.waitClosed(), "the server did not close after Connection: close");
      } finally {
        connection.destroy();
      }
    });

    test("HTTP/1.0 without keep-alive: the server closes after the response", async () => {
      const { responses, closed, raw } = await exchangeUntilClose(
        port,
        `GET ${echo}?v=10 HTTP/1.0\r\nHost: ${host}\r\n\r\n`,
      );
      assert.equal(responses.length, 1, `expected one response, got: ${show(raw)}`);
      assert.equal(eventOf(responses[0]!).rawQueryString, "v=10");
      assert.ok(!connectionHas(responses[0]!, "keep-alive"), responses[0]!.head);
      assert.ok(closed, "the server kept an HTTP/1.0 connection open");
    });

    // node:http answers a request pipelined behind a closing one with 400 before the closing one's response,
    // which is then lost; RFC 9112 §9.6: answer the closing request, ignore what follows, then close.
    for (const [name, closing] of [
      ["HTTP/1.0", `GET ${echo}?closing=10 HTTP/1.0\r\nHost: ${host}\r\n\r\n`],
      ["Connection: close", `GET ${echo}?closing=11 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
    ] as const) {
      test(`a request pipelined behind a closing one (${name}) is ignored, the closing one answered`, async () => {
        const before = agent.calls.length;
        const { responses, closed, raw } = await exchangeUntilClose(port, closing + get(`${echo}?behind=1`));
        assert.equal(responses.length, 1, `expected only the closing request's response, got: ${show(raw)}`);
        assert.match(eventOf(responses[0]!).rawQueryString, /^closing=/);
        assert.ok(closed, "the connection stayed open");
        assert.equal(
          agent.calls.length,
          before + 1,
          "the request behind the closing one reached the function",
        );
      });
    }

    test("HTTP/1.0 with Connection: keep-alive: the response says keep-alive and the connection stays usable", async () => {
      const connection = await RawConnection.open(port);
      try {
        const request = (n: number) =>
          `GET ${echo}?v10=${n} HTTP/1.0\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`;
        await connection.write(request(1));
        const first = await connection.readResponse();
        assert.equal(eventOf(first).rawQueryString, "v10=1");
        assert.ok(connectionHas(first, "keep-alive"), `expected connection: keep-alive:\n${first.head}`);
        assert.ok(headerOf(first, "content-length"), "a kept-alive HTTP/1.0 response needs content-length");
        await connection.write(request(2));
        assert.equal(eventOf(await connection.readResponse()).rawQueryString, "v10=2");
      } finally {
        connection.destroy();
      }
    });

    test("pipelining: three requests in one write are answered in order, each complete", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          post(`${echo}?p=1`, "first body") + get(`${echo}?p=2`) + post(`${echo}?p=3`, "third"),
        );
        const events = [];
        for (let i = 0; i < 3; i++) events.push(eventOf(await connection.readResponse()));
        assert.deepEqual(
          events.map((e) => [e.rawQueryString, e.requestContext.http.method, bodyOf(e)]),
          [
            ["p=1", "POST", "first body"],
            ["p=2", "GET", ""],
            ["p=3", "POST", "third"],
          ],
        );
        assert.equal(connection.unread(), "", "bytes after the third response");
      } finally {
        connection.destroy();
      }
    });

    test("an idle keep-alive connection is closed by the server after keepAliveTimeout", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(get());
        const response = await connection.readResponse();
        assert.equal(response.status, 200);
        assert.ok(!connectionHas(response, "close"));
        assert.ok(
          await connection.waitClosed(10_000),
          "idle connection still open 10 s after a 1 s keep-alive",
        );
      } finally {
        connection.destroy();
      }
    });

    test("200 connections at once, one request each, are all answered 200", async () => {
      const connections = await Promise.all(Array.from({ length: 200 }, () => RawConnection.open(port)));
      try {
        const outcomes = await Promise.all(
          connections.map(async (connection, i) => {
            try {
              await connection.write(get(`${echo}?c=${i}`, "Connection: close\r\n"));
              const response = await connection.readResponse({ timeoutMs: 30_000 });
              if (response.status !== 200) return `#${i}: status ${response.status}`;
              const query = eventOf(response).rawQueryString;
              return query === `c=${i}` ? "ok" : `#${i}: got the answer for ${query}`;
            } catch (error) {
              return `#${i}: ${(error as Error).message.slice(0, 200)}`;
            }
          }),
        );
        assert.deepEqual(
          outcomes.filter((o) => o !== "ok"),
          [],
        );
      } finally {
        for (const connection of connections) connection.destroy();
      }
    });
  });

  describe("responses", () => {
    test("bodies of every size arrive whole, multi-byte text byte-exact, a pipelined request intact behind", async () => {
      // 16 KiB is where a response stops going out in one buffer with its head (gateway/http1).
      const bodies = ["é✓".repeat(3), "y".repeat(16 * 1024), "z".repeat(16 * 1024 + 1), "€".repeat(700_000)];
      const sized = await ScriptedAgent.start((call, res) => {
        const index = Number(
          new URL(`http://x${JSON.parse(call.body.toString("utf8")).rawPath}`).pathname.split("/").pop() ?? 0,
        );
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            statusCode: 200,
            headers: { "content-type": "text/plain; charset=utf-8" },
            body: bodies[index],
          }),
        );
      });
      try {
        gw.store.upsert(functionResource(ns, "sized"));
        await gw.addInstance(ns, "sized", { url: sized.url });
        await eventually(
          async () => assert.equal((await once(get(`/function/${ns}/sized/0`))).status, 200),
          10_000,
        );
        const connection = await RawConnection.open(port);
        try {
          await connection.write(
            bodies.map((_, i) => get(`/function/${ns}/sized/${i}`)).join("") + get(`${echo}?behind=1`),
          );
          for (const [i, expected] of bodies.entries()) {
            const response = await connection.readResponse();
            assert.equal(response.status, 200, response.head);
            assert.equal(
              Number(headerOf(response, "content-length")),
              Buffer.byteLength(expected),
              response.head,
            );
            assert.ok(
              response.body.equals(Buffer.from(expected, "utf8")),
              `body ${i} (${expected.length} chars) differs`,
            );
          }
          assert.equal(eventOf(await connection.readResponse()).rawQueryString, "behind=1");
        } finally {
          connection.destroy();
        }
      } finally {
        await sized.stop();
      }
    });

    test("a Latin-1 header value goes out as one byte per character, a UTF-8 body as UTF-8", async () => {
      const body = "grüße ✓ 😀";
      const latin = await ScriptedAgent.start(
        respondWith({
          statusCode: 200,
          headers: { "x-place": "caf\u00e9", "content-type": "text/plain" },
          body,
        }),
      );
      try {
        gw.store.upsert(functionResource(ns, "latin"));
        await gw.addInstance(ns, "latin", { url: latin.url });
        const path = `/function/${ns}/latin`;
        await eventually(async () => assert.equal((await once(get(path))).status, 200), 10_000);
        const response = await once(get(path));
        // raw-http reads the head as Latin-1: "café" back means the byte 0xE9, not UTF-8's C3 A9.
        assert.equal(headerOf(response, "x-place"), "caf\u00e9", response.head);
        assert.equal(Number(headerOf(response, "content-length")), Buffer.byteLength(body));
        assert.ok(response.body.equals(Buffer.from(body, "utf8")), response.body.toString("utf8"));
      } finally {
        await latin.stop();
      }
    });

    test("every response carries content-length, date and apigw-requestid (200, 404, 400, 413)", async () => {
      const responses = [
        await once(get()),
        await once(get(`/function/${ns}/missing`)),
        await once(get(`/function/${ns}/%2e%2e/echo`)),
        // Declared over the 6 MB limit: refused from the head, so no body needs sending.
        await once(`POST ${echo} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 7000000\r\n\r\n`),
      ];
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 404, 400, 413],
      );
      for (const response of responses) {
        const length = headerOf(response, "content-length");
        assert.ok(length !== undefined && /^\d+$/.test(length), `no content-length:\n${response.head}`);
        assert.equal(Number(length), response.body.length);
        assert.ok(
          !Number.isNaN(Date.parse(headerOf(response, "date") ?? "")),
          `no valid date:\n${response.head}`,
        );
        assert.match(
          headerOf(response, "apigw-requestid") ?? "",
          /^\S{8,}$/,
          `no request id:\n${response.head}`,
        );
      }
    });

    test("HEAD: head only, no body bytes; a pipelined GET behind it is parsed correctly", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(`HEAD ${echo}?h=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n` + get(`${echo}?h=2`));
        const head = await connection.readResponse({ head: true });
        assert.equal(head.status, 200, head.head);
        assert.ok(headerOf(head, "date"), head.head);
        const next = await connection.readResponse();
        assert.ok(
          next.head.startsWith("HTTP/1.1 200"),
          `the GET after HEAD was misread — body bytes after the HEAD response? ${JSON.stringify(connection.received())}`,
        );
        const event = eventOf(next);
        assert.equal(event.rawQueryString, "h=2");
        assert.equal(event.requestContext.http.method, "GET");
        assert.equal(connection.unread(), "");
      } finally {
        connection.destroy();
      }
    });

    test("Expect: 100-continue: 100 Continue comes before the body is sent, then the final 200", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          `POST ${echo}?e=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
            `Content-Length: 11\r\nExpect: 100-continue\r\n\r\n`,
        );
        const interim = await connection.readResponse();
        assert.equal(interim.status, 100, `expected 100 Continue before the body, got:\n${interim.head}`);
        await connection.write("hello world");
        const event = eventOf(await connection.readResponse());
        assert.equal(bodyOf(event), "hello world");
      } finally {
        connection.destroy();
      }
    });
    test("204 and 304 carry no body even when the function returns one; a pipelined GET behind them is intact", async () => {
      // Answers with the status named in the query string, and a body that must not reach the wire.
      const statusAgent = await ScriptedAgent.start((call, res) => {
        const event = JSON.parse(call.body.toString("utf8")) as EchoEvent;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ statusCode: Number(event.rawQueryString.slice(2)), body: "must not be sent" }),
        );
      });
      const connection = await RawConnection.open(port);
      try {
        gw.store.upsert(functionResource(ns, "status"));
        await gw.addInstance(ns, "status", { url: statusAgent.url });
        await eventually(async () =>
          assert.equal((await once(get(`/function/${ns}/status?s=200`))).status, 200),
        );
        await connection.write(
          get(`/function/${ns}/status?s=204`) +
            get(`/function/${ns}/status?s=304`) +
            get(`${echo}?after=304`),
        );
        assert.equal((await connection.readResponse()).status, 204);
        assert.equal((await connection.readResponse()).status, 304);
        const next = await connection.readResponse();
        assert.equal(eventOf(next).rawQueryString, "after=304");
        assert.ok(!connection.received().includes("must not be sent"), show(connection.received()));
      } finally {
        connection.destroy();
        await statusAgent.stop();
      }
    });
  });

  describe("request bodies", () => {
    test("a chunked body (several chunks, an extension, trailers) reaches the function whole", async () => {
      const response = await once(
        `POST ${echo}?chunked=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
          `Transfer-Encoding: chunked\r\n\r\n` +
          `5;x=1\r\nhello\r\n1\r\n \r\nA\r\nchunked wo\r\n2\r\nrd\r\n0\r\nX-Trailer: t\r\n\r\n`,
      );
      assert.equal(bodyOf(eventOf(response)), "hello chunked word");
    });

    test("transfer coding names are case-insensitive: Transfer-Encoding: Chunked is decoded", async () => {
      const response = await once(
        `POST ${echo}?chunked=2 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
          `Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      );
      assert.equal(bodyOf(eventOf(response)), "abc");
    });

    test("a binary body reaches the function byte for byte (base64 in the event)", async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          `POST ${echo}?binary=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/octet-stream\r\n` +
            `Content-Length: ${bytes.length}\r\n\r\n`,
        );
        await connection.write(bytes);
        const event = eventOf(await connection.readResponse());
        assert.equal(event.isBase64Encoded, true);
        assert.deepEqual(Buffer.from(event.body ?? "", "base64"), bytes);
      } finally {
        connection.destroy();
      }
    });

    test("a chunked body over 6 MB is 413 and never reaches the function", async () => {
      const before = agent.calls.length;
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          `POST ${echo}?huge=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
            `Transfer-Encoding: chunked\r\n\r\n`,
        );
        const mib = Buffer.alloc(1024 * 1024, 97);
        const chunk = Buffer.concat([Buffer.from("100000\r\n"), mib, Buffer.from("\r\n")]);
        for (let i = 0; i < 6 && !connection.closed && connection.received() === ""; i++) {
          await connection.write(chunk);
        }
        await connection.write("1\r\nb\r\n0\r\n\r\n");
        const response = await connection.readResponse({ timeoutMs: 10_000 });
        assert.equal(response.status, 413, response.head);
        assert.deepEqual(JSON.parse(response.body.toString()), { message: "Request Entity Too Large" });
      } finally {
        connection.destroy();
      }
      assert.equal(agent.calls.length, before, "the oversized body reached the function");
    });
  });

  describe("request smuggling and malformed requests are refused, the connection closed", () => {
    const body5 = "hello";
    const chunked5 = "5\r\nhello\r\n0\r\n\r\n";
    const withBody = (headers: string, body: string) =>
      `POST ${echo}?bad=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n${headers}\r\n${body}`;

    const cases: Array<{ name: string; bytes: string; statuses: number[] }> = [
      {
        name: "Content-Length together with Transfer-Encoding",
        bytes: withBody("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
        statuses: [400],
      },
      {
        name: "two different Content-Length values",
        bytes: withBody("Content-Length: 0\r\nContent-Length: 5\r\n", body5),
        statuses: [400],
      },
      // ("5 " is not here: whitespace around a field value is OWS, RFC 9112 §5, and "5 " is a valid length)
      ...["+5", "0x5", "-1", "5 5"].map((value) => ({
        name: `Content-Length ${JSON.stringify(value)}`,
        bytes: withBody(`Content-Length: ${value}\r\n`, body5),
        statuses: [400],
      })),
      {
        // RFC 9112 §6.3: chunked not last is 400; an unknown coding may be 501.
        name: "Transfer-Encoding: gzip",
        bytes: withBody("Transfer-Encoding: gzip\r\n", body5),
        statuses: [400, 501],
      },
      {
        name: "Transfer-Encoding: chunked, gzip",
        bytes: withBody("Transfer-Encoding: chunked, gzip\r\n", chunked5),
        statuses: [400, 501],
      },
      {
        name: "Transfer-Encoding: xchunked",
        bytes: withBody("Transfer-Encoding: xchunked\r\n", chunked5),
        statuses: [400, 501],
      },
      {
        name: 'a malformed chunk size ("zz")',
        bytes: withBody("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"),
        statuses: [400],
      },
      {
        // A parser that wraps around on overflow reads this as 5; refusing it as too large is safe too.
        name: "a chunk size that overflows 64 bits",
        bytes: withBody("Transfer-Encoding: chunked\r\n", "10000000000000005\r\nhello\r\n0\r\n\r\n"),
        statuses: [400, 413],
      },
      {
        name: "chunk data not followed by CRLF",
        bytes: withBody("Transfer-Encoding: chunked\r\n", "5\r\nhelloXX\r\n0\r\n\r\n"),
        statuses: [400],
      },
      {
        name: "whitespace before the colon (Content-Length : 5)",
        bytes: withBody("Content-Length : 5\r\n", body5),
        statuses: [400],
      },
      {
        name: "obs-fold (a header line starting with a space)",
        bytes: withBody("Content-Length: 5\r\nX-Folded: a\r\n b\r\n", body5),
        statuses: [400],
      },
      {
        name: "obs-fold (a header line starting with a tab)",
        bytes: withBody("Content-Length: 5\r\nX-Folded: a\r\n\tb\r\n", body5),
        statuses: [400],
      },
      {
        name: "bare LF line endings",
        bytes: `GET ${echo}?bad=1 HTTP/1.1\nHost: ${host}\n\n`,
        statuses: [400],
      },
      {
        name: "a NUL in a header value",
        bytes: withBody("Content-Length: 5\r\nX-Nul: a\0b\r\n", body5),
        statuses: [400],
      },
      {
        name: "a bare CR in a header value",
        bytes: withBody("Content-Length: 5\r\nX-Cr: a\rb\r\n", body5),
        statuses: [400],
      },
      {
        name: "a request line with two spaces",
        bytes: `GET  ${echo}?bad=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        statuses: [400],
      },
      {
        name: "a request line without a version",
        bytes: `GET ${echo}?bad=1\r\nHost: ${host}\r\n\r\n`,
        statuses: [400],
      },
      {
        name: "HTTP/2.0 in the request line",
        bytes: `GET ${echo}?bad=1 HTTP/2.0\r\nHost: ${host}\r\n\r\n`,
        statuses: [400, 505],
      },
      {
        name: "a request-target containing a space",
        bytes: `GET ${echo}?bad=1 x HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        statuses: [400],
      },
      {
        name: "a request-target containing a control character",
        bytes: `GET ${echo}?bad=\x01 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        statuses: [400],
      },
      {
        name: 'a request-target not starting with "/"',
        bytes: `GET function/${ns}/echo?bad=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
        statuses: [400],
      },
    ];

    for (const c of cases) {
      test(c.name, async () => {
        const before = agent.calls.length;
        // A well-formed request smuggled behind the bad one, in the same write.
        const smuggled = get(`${echo}?smuggled=1`);
        const { responses, closed, raw } = await exchangeUntilClose(port, c.bytes + smuggled);
        assert.equal(
          responses.length,
          1,
          `expected exactly one response (the refusal), got ${responses.length} ` +
            `(${responses.map((r) => r.status).join(", ")}): ${show(raw)}`,
        );
        const [refusal] = responses as [RawResponse];
        assert.ok(
          c.statuses.includes(refusal.status),
          `expected ${c.statuses.join(" or ")}, got:\n${refusal.head}`,
        );
        assert.ok(
          connectionHas(refusal, "close"),
          `the refusal must say connection: close:\n${refusal.head}`,
        );
        assert.ok(closed, "the server kept the connection open after refusing the request");
        assert.equal(agent.calls.length, before, "the refused (or smuggled) request reached the function");
      });
    }

    test("a refusal is framed like any response: content-length and date", async () => {
      const { responses, raw } = await exchangeUntilClose(port, withBody("Content-Length: +5\r\n", body5));
      assert.equal(responses.length, 1, show(raw));
      const [refusal] = responses as [RawResponse];
      assert.equal(refusal.status, 400);
      assert.equal(headerOf(refusal, "content-length"), String(refusal.body.length), refusal.head);
      assert.ok(!Number.isNaN(Date.parse(headerOf(refusal, "date") ?? "")), refusal.head);
    });

    test("HTTP/1.1 without a Host header is 400 and never reaches the function", async () => {
      const before = agent.calls.length;
      const response = await once(`GET ${echo}?nohost=1 HTTP/1.1\r\n\r\n`);
      assert.equal(response.status, 400, response.head);
      assert.equal(agent.calls.length, before);
    });

    test("a header section over 16 KiB is 431 (or 400) and the connection closes", async () => {
      const before = agent.calls.length;
      const big = `X-Big: ${"a".repeat(17 * 1024)}\r\n`;
      const { responses, closed, raw } = await exchangeUntilClose(port, get(`${echo}?big=1`, big));
      assert.equal(responses.length, 1, show(raw));
      assert.ok([431, 400].includes(responses[0]!.status), responses[0]!.head);
      assert.ok(closed, "connection left open after an oversized head");
      assert.equal(agent.calls.length, before);
    });

    test("absolute-form and OPTIONS * are not refused as malformed: the connection stays usable", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          `GET http://${host}${echo}?absolute=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
            `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
            get(`${echo}?after=1`),
        );
        const absolute = await connection.readResponse();
        const star = await connection.readResponse();
        assert.ok(absolute.status < 500 && !connectionHas(absolute, "close"), absolute.head);
        assert.ok(star.status < 500 && !connectionHas(star, "close"), star.head);
        assert.equal(eventOf(await connection.readResponse()).rawQueryString, "after=1");
      } finally {
        connection.destroy();
      }
    });

    test("absolute-form reaches the function with the path of its URI", async () => {
      const event = eventOf(
        await once(`GET http://${host}${echo}?absolute=2 HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
      );
      assert.equal(event.rawPath, echo);
      assert.equal(event.rawQueryString, "absolute=2");
    });
  });

  describe("slow, broken and hostile clients", () => {
    test("headers trickled past the headers timeout: 408 or a silent close", async () => {
      const connection = await RawConnection.open(port);
      try {
        await connection.write(`GET ${echo}?slow=1 HTTP/1.1\r\nHost: ${host}\r\n`);
        for (let i = 0; i < 40 && !connection.closed; i++) {
          await new Promise((r) => setTimeout(r, 150));
          await connection.write(`X-Slow-${i}: 1\r\n`);
        }
        assert.ok(await connection.waitClosed(10_000), "the trickled head was never cut off");
        const responses = connection.responsesSoFar();
        assert.ok(
          responses.length === 0 || (responses.length === 1 && responses[0]!.status === 408),
          `expected 408 or a silent close, got: ${show(connection.received())}`,
        );
      } finally {
        connection.destroy();
      }
    });

    test("a body trickled past the body timeout: 408 and close, the function not called", async () => {
      const before = agent.calls.length;
      const connection = await RawConnection.open(port);
      try {
        await connection.write(
          `POST ${echo}?slowbody=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n`,
        );
        for (let i = 0; i < 40 && !connection.closed && connection.received() === ""; i++) {
          await new Promise((r) => setTimeout(r, 150));
          await connection.write("a");
        }
        const response = await connection.readResponse();
        assert.equal(response.status, 408, response.head);
        assert.ok(connectionHas(response, "close"), response.head);
        assert.ok(await connection.waitClosed(), "connection open after the 408");
      } finally {
        connection.destroy();
      }
      assert.equal(agent.calls.length, before);
    });

    for (const [name, bytes] of [
      [
        "TLS ClientHello bytes",
        Buffer.from("16030100a5010000a10303" + "ab".repeat(32) + "000002c02f0100", "hex"),
      ],
      ["HELLO\\r\\n\\r\\n", Buffer.from("HELLO\r\n\r\n")],
    ] as const) {
      test(`garbage (${name}): 400 or close, and the server keeps serving`, async () => {
        const { responses, closed, raw } = await exchangeUntilClose(port, bytes);
        assert.ok(closed, "connection left open after garbage");
        // A byte that cannot start a method is refused at once, not after the headers timeout (408).
        assert.ok(
          responses.length === 0 || (responses.length === 1 && responses[0]!.status === 400),
          `expected 400 or a silent close, got: ${show(raw)}`,
        );
        await assertStillServing(`garbage ${name}`);
      });
    }

    test("a client that disconnects mid-body does not wedge the server", async () => {
      const before = agent.calls.length;
      for (let i = 0; i < 5; i++) {
        const connection = await RawConnection.open(port);
        await connection.write(
          `POST ${echo}?abort=${i} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789`,
        );
        connection.destroy();
      }
      await assertStillServing("aborted bodies");
      assert.equal(agent.calls.length, before + 1, "a request whose body never came reached the function");
    });

    test("a client that disconnects mid-response does not wedge the server", async () => {
      const big = await ScriptedAgent.start(
        respondWith({ statusCode: 200, body: "x".repeat(4 * 1024 * 1024) }),
      );
      try {
        gw.store.upsert(functionResource(ns, "big"));
        await gw.addInstance(ns, "big", { url: big.url });
        await eventually(
          async () => assert.equal((await once(get(`/function/${ns}/big`))).status, 200),
          10_000,
        );
        for (let i = 0; i < 5; i++) {
          const connection = await RawConnection.open(port);
          await connection.write(get(`/function/${ns}/big?abort=${i}`));
          await eventually(() => assert.ok(connection.received().length > 0 || connection.closed));
          connection.destroy();
        }
        await assertStillServing("aborted responses");
      } finally {
        await big.stop();
      }
    });
  });

  describe("what reaches the function", () => {
    test("duplicate headers are joined with commas and Cookie headers become the cookies array", async () => {
      const event = eventOf(
        await once(get(`${echo}?dup=1`, "X-Dup: a\r\nX-Dup: b\r\nCookie: a=1\r\nCookie: b=2; c=3\r\n")),
      );
      assert.equal(event.headers["x-dup"], "a,b");
      assert.deepEqual(event.cookies, ["a=1", "b=2", "c=3"]);
      assert.equal(event.headers.cookie, undefined);
    });

    test("GET, POST, PUT, PATCH, DELETE, OPTIONS and PURGE reach the function with their method", async () => {
      const connection = await RawConnection.open(port);
      try {
        for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"]) {
          await connection.write(
            `${method} ${echo}?m=${method} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\n` +
              `Content-Length: ${method.length}\r\n\r\n${method}`,
          );
          const event = eventOf(await connection.readResponse());
          assert.equal(event.requestContext.http.method, method);
          assert.equal(event.rawQueryString, `m=${method}`);
        }
      } finally {
        connection.destroy();
      }
    });

    test("an unknown but well-formed token method passes through to the function", async () => {
      const event = eventOf(await once(`FROBNICATE ${echo}?m=x HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
      assert.equal(event.requestContext.http.method, "FROBNICATE");
    });

    test("CONNECT never opens a tunnel and never reaches a function", async () => {
      const before = agent.calls.length;
      const { responses, closed, raw } = await exchangeUntilClose(
        port,
        `CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n` + get(`${echo}?tunnelled=1`),
      );
      assert.ok(
        responses.every((r) => r.status >= 400),
        `CONNECT was accepted: ${show(raw)}`,
      );
      assert.ok(responses.length <= 1, show(raw));
      assert.ok(closed);
      assert.equal(agent.calls.length, before);
    });

    test("CONNECT is answered 400, 405 or 501", async () => {
      const { responses, raw } = await exchangeUntilClose(
        port,
        `CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n`,
      );
      assert.equal(responses.length, 1, show(raw));
      assert.ok([400, 405, 501].includes(responses[0]!.status), responses[0]!.head);
    });
  });
});
