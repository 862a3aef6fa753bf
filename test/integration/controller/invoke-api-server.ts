// A small, real HTTP server implementing the Lambda Invoke API for the controller's trigger and schedule tests (the
// gateway's own Invoke API is tested by the gateway): it verifies the SigV4 signature with the gateway's verifier,
// maps `<namespace>:function:<name>` like the gateway does, and runs a handler the test supplies in-process.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySigV4 } from "../../../gateway/aws/sigv4.js";
import { StaticAccessKeys } from "../../../gateway/aws/access-keys.js";

export const TEST_ACCESS_KEY = { id: "AKIACONTROLLERTEST01", secret: "controller-test-secret-0123456789" };

export interface ReceivedInvoke {
  namespace: string;
  name: string;
  type: string;
  event: unknown;
}

export type TestHandler = (
  invoke: ReceivedInvoke,
) => Promise<{ result?: unknown; error?: string }> | { result?: unknown; error?: string };

export interface InvokeApiServer {
  url: string;
  received: ReceivedInvoke[];
  rejected: number;
  setHandler(handler: TestHandler): void;
  close(): Promise<void>;
}

export async function startInvokeApiServer(
  handler: TestHandler = () => ({ result: null }),
): Promise<InvokeApiServer> {
  const keys = new StaticAccessKeys({ [TEST_ACCESS_KEY.id]: TEST_ACCESS_KEY.secret });
  let current = handler;
  const state = { received: [] as ReceivedInvoke[], rejected: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    try {
      await verifySigV4(
        { method: req.method!, path: req.url!, headers: req.headers, body },
        keys,
        Date.now(),
      );
    } catch (error) {
      state.rejected++;
      res
        .writeHead(403, { "x-amzn-errortype": "InvalidSignatureException" })
        .end(JSON.stringify({ message: (error as Error).message }));
      return;
    }
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url!.split("?")[0]!);
    const [namespace, , name] = decodeURIComponent(match?.[1] ?? "").split(":");
    if (!match || !namespace || !name) {
      res
        .writeHead(404, { "x-amzn-errortype": "ResourceNotFoundException" })
        .end(JSON.stringify({ Message: "Function not found" }));
      return;
    }
    const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    const invoke = { namespace, name, type, event: JSON.parse(body.toString("utf8")) as unknown };
    state.received.push(invoke);
    if (type === "Event") {
      res.writeHead(202).end();
      void Promise.resolve(current(invoke)).catch(() => undefined);
      return;
    }
    const outcome = await current(invoke);
    if (outcome.error !== undefined) {
      res
        .writeHead(200, { "x-amz-function-error": "Unhandled", "content-type": "application/json" })
        .end(JSON.stringify({ errorType: "Error", errorMessage: outcome.error }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(outcome.result ?? null));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get rejected() {
      return state.rejected;
    },
    setHandler(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
