// The conformance suite every InstanceBackend passes (STYLE.md §11): local processes now, Kubernetes pods with the
// operator. It checks the contract of controller/backends/instance-backend.ts against a real agent, never the calls.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SpecializeRequest } from "../../../api/agent.js";
import type {
  InstanceBackend,
  InstanceEvent,
  InstanceStatus,
} from "../../../controller/backends/instance-backend.js";

export interface ConformanceTarget {
  backend: InstanceBackend;
  /** kill an instance behind the backend's back (a crash) */
  crash(instance: InstanceStatus): Promise<void> | void;
  cleanup(): Promise<void>;
}

const request = (name: string): SpecializeRequest => ({
  namespace: "conformance",
  name,
  runtime: "nodejs20",
  handler: "index.handler",
  code: {
    files: {
      "index.js": Buffer.from(
        "exports.handler = async (event) => ({ echoed: event, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });",
      ).toString("base64"),
    },
  },
  codeSha256: "0".repeat(64),
  timeoutSeconds: 10,
  perInstance: 1,
});

async function status(url: string, path: string): Promise<number> {
  try {
    const response = await fetch(new URL(path, url), { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function backendConformance(name: string, make: () => Promise<ConformanceTarget>): void {
  describe(`InstanceBackend conformance: ${name}`, () => {
    it("starts a generic instance that serves /healthz but is not ready", async () => {
      const target = await make();
      try {
        const started = await target.backend.start({ id: "conf-a", runtime: "nodejs20", memoryMiB: 128 });
        assert.equal(started.phase, "started");
        assert.ok(started.url);
        assert.equal(await status(started.url, "/healthz"), 200);
        assert.equal(await status(started.url, "/readyz"), 503);
        assert.deepEqual(
          target.backend.list().map((i) => i.id),
          ["conf-a"],
        );
        assert.equal(target.backend.get("conf-a")?.owner, undefined);
        await assert.rejects(
          target.backend.start({ id: "conf-a", runtime: "nodejs20", memoryMiB: 128 }),
          /exists/,
        );
      } finally {
        await target.cleanup();
      }
    });

    it("specializes an instance: ready, owned, invocable, announced", async () => {
      const target = await make();
      const events: InstanceEvent[] = [];
      const unwatch = target.backend.watch((e) => events.push(e));
      try {
        await target.backend.start({ id: "conf-b", runtime: "nodejs20", memoryMiB: 128 });
        const ready = await target.backend.specialize("conf-b", request("echo"), "rev-1");
        assert.equal(ready.phase, "ready");
        assert.deepEqual(ready.owner, { namespace: "conformance", name: "echo" });
        assert.equal(ready.revision, "rev-1");
        assert.equal(ready.codeSha256, "0".repeat(64));
        assert.equal(ready.perInstance, 1);
        assert.ok(ready.readySince);
        assert.equal(await status(ready.url!, "/readyz"), 200);
        const response = await fetch(new URL("/invoke", ready.url), {
          method: "POST",
          headers: { "x-kappa-request-id": "conf-1", "content-type": "application/json" },
          body: JSON.stringify({ n: 7 }),
        });
        assert.equal(response.status, 200);
        assert.deepEqual(((await response.json()) as { echoed: unknown }).echoed, { n: 7 });
        assert.ok(events.some((e) => e.type === "ready" && e.instance.id === "conf-b"));
      } finally {
        unwatch();
        await target.cleanup();
      }
    });

    it("refuses to specialize an instance that does not exist", async () => {
      const target = await make();
      try {
        await assert.rejects(target.backend.specialize("nope", request("echo"), "rev-1"));
      } finally {
        await target.cleanup();
      }
    });

    it("stops an instance: gone from the list, its URL closed, an expected exit; stop is idempotent", async () => {
      const target = await make();
      const events: InstanceEvent[] = [];
      const unwatch = target.backend.watch((e) => events.push(e));
      try {
        const started = await target.backend.start({ id: "conf-c", runtime: "nodejs20", memoryMiB: 128 });
        await target.backend.stop("conf-c", { graceMs: 1_000 });
        assert.equal(target.backend.get("conf-c"), undefined);
        assert.deepEqual(target.backend.list(), []);
        assert.equal(await status(started.url!, "/healthz"), 0);
        await waitFor(() => events.some((e) => e.type === "exited"), "exit event");
        const exit = events.find((e) => e.type === "exited");
        assert.ok(exit && exit.type === "exited" && exit.expected);
        await target.backend.stop("conf-c");
        await target.backend.stop("never-existed");
      } finally {
        unwatch();
        await target.cleanup();
      }
    });

    it("reports a crash as an unexpected exit", async () => {
      const target = await make();
      const events: InstanceEvent[] = [];
      const unwatch = target.backend.watch((e) => events.push(e));
      try {
        await target.backend.start({ id: "conf-d", runtime: "nodejs20", memoryMiB: 128 });
        const ready = await target.backend.specialize("conf-d", request("crash"), "rev-1");
        await target.crash(ready);
        await waitFor(() => events.some((e) => e.type === "exited"), "exit event");
        const exit = events.find((e) => e.type === "exited");
        assert.ok(exit && exit.type === "exited" && !exit.expected, "a crash is not expected");
        assert.deepEqual(exit.instance.owner, { namespace: "conformance", name: "crash" });
        assert.equal(target.backend.get("conf-d"), undefined);
      } finally {
        unwatch();
        await target.cleanup();
      }
    });

    it("close stops every instance", async () => {
      const target = await make();
      const a = await target.backend.start({ id: "conf-e", runtime: "nodejs20", memoryMiB: 128 });
      const b = await target.backend.start({ id: "conf-f", runtime: "nodejs20", memoryMiB: 128 });
      await target.cleanup();
      assert.equal(await status(a.url!, "/healthz"), 0);
      assert.equal(await status(b.url!, "/healthz"), 0);
    });
  });
}
