// A gateway that is told to stop (SIGTERM in gateway/main.ts) drains: /readyz turns 503, the function port
// stops accepting, idle keep-alive connections close, and requests in flight still get their answers.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import {
  ScriptedAgent,
  echoResult,
  eventually,
  functionResource,
  startTestGateway,
  stopTestRedis,
  uniquePrefix,
  type TestGateway,
} from "./support.js";
import { RawConnection, headerOf } from "./raw-http.js";

let gw: TestGateway;
let agent: ScriptedAgent;
const ns = uniquePrefix("drain");
const host = "drain.test";
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

before(async () => {
  gw = await startTestGateway({ metricsPort: 0 });
  // Every answer takes 400 ms, so a request is still running when the drain starts.
  agent = await ScriptedAgent.start(async (call, res) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    echoResult(call, res);
  });
  gw.store.upsert(functionResource(ns, "slow", { concurrency: { perInstance: 10 } }));
  await gw.addInstance(ns, "slow", { url: agent.url, perInstance: 10 });
});
after(async () => {
  await gw.close();
  await agent.stop();
  await stopTestRedis();
});

const readyStatus = async () => (await fetch(`http://127.0.0.1:${gw.gateway.metricsPort}/readyz`)).status;

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

test("drain: requests in flight are answered (then the connection closes), idle ones close, no new ones", async () => {
  const port = gw.gateway.port;
  await eventually(async () => {
    const warm = await RawConnection.open(port);
    await warm.write(get(`/function/${ns}/slow?warm=1`));
    assert.equal((await warm.readResponse()).status, 200);
    warm.destroy();
  }, 10_000);
  assert.equal(await readyStatus(), 200);

  const idle = await RawConnection.open(port);
  await idle.write(get(`/function/${ns}/slow?idle=1`));
  assert.equal((await idle.readResponse()).status, 200);
  const busy = await RawConnection.open(port);
  await busy.write(get(`/function/${ns}/slow?busy=1`));
  await eventually(() => assert.ok(agent.inflight > 0, "the request has not reached the function yet"));

  const drained = gw.gateway.drain(5_000);
  await eventually(async () => assert.equal(await readyStatus(), 503));
  await eventually(() => assert.ok(idle.closed, "the idle keep-alive connection is still open"));
  assert.ok(await refused(port), "a new connection was accepted while draining");

  const response = await busy.readResponse();
  assert.equal(response.status, 200, response.head);
  assert.equal(headerOf(response, "connection"), "close");
  await drained;
  await eventually(() => assert.ok(busy.closed, "the drained connection stayed open"));
  busy.destroy();
  idle.destroy();
});
