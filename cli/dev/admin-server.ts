// The local platform's admin endpoint: how `kappa list / describe / deploy` see what `kappa dev` has loaded.
// Bound to 127.0.0.1 on a free port, guarded by a bearer token that only the state file (mode 0600) holds.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { ResourceStore, StoredResource } from "../../api/store.js";
import type { ManifestProblem } from "./manifest-loader.js";

export interface AdminSource {
  store: ResourceStore;
  problems(): ManifestProblem[];
  /** reloads the folder now and returns what changed (used right after `kappa deploy` copies files in) */
  reload(): { created: string[]; updated: string[]; deleted: string[]; problems: ManifestProblem[] };
  /** the controller's view of a resource's status, when it keeps one outside the store */
  statusOf?(resource: StoredResource): unknown;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

export const ADMIN_KINDS = [
  "Function",
  "Route",
  "Authorizer",
  "ApiKey",
  "UsagePlan",
  "Queue",
  "QueueTrigger",
  "Schedule",
  "RuntimePool",
  "Secret",
  "ConfigMap",
];

export async function startAdminServer(source: AdminSource, token: string): Promise<AdminServer> {
  const server = createServer((req, res) => {
    try {
      handle(source, token, req, res);
    } catch (error) {
      send(res, 500, { message: (error as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function handle(source: AdminSource, token: string, req: IncomingMessage, res: ServerResponse): void {
  if (!authorized(req, token))
    return send(res, 401, { message: "missing or wrong admin token (read it from the state file)" });
  const url = new URL(req.url ?? "/", "http://admin");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (req.method === "GET" && url.pathname === "/v1/problems")
    return send(res, 200, { problems: source.problems() });
  if (req.method === "POST" && url.pathname === "/v1/reload") return send(res, 200, source.reload());
  if (req.method === "GET" && parts[0] === "v1" && parts[1] === "resources") {
    const [kind, namespace, name] = parts.slice(2);
    if (!kind) return send(res, 400, { message: "GET /v1/resources/<Kind>[/<namespace>[/<name>]]" });
    if (!ADMIN_KINDS.includes(kind))
      return send(res, 400, { message: `unknown kind ${kind}; one of ${ADMIN_KINDS.join(", ")}` });
    if (name && namespace) {
      const found = source.store.get(kind, namespace, name);
      if (!found) return send(res, 404, { message: `${kind} ${namespace}/${name} is not loaded` });
      return send(res, 200, withStatus(source, found));
    }
    const items = source.store.list(kind, namespace).map((r) => withStatus(source, r));
    items.sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
    return send(res, 200, { items });
  }
  send(res, 404, { message: `no admin route ${req.method} ${url.pathname}` });
}

function withStatus(source: AdminSource, resource: StoredResource): StoredResource {
  const view = redactSecret(resource);
  const status = source.statusOf?.(resource);
  return status === undefined ? view : { ...view, status };
}

/** Secret values never leave the dev process through the admin API; the files already hold them. */
function redactSecret(resource: StoredResource): StoredResource {
  if (resource.kind !== "Secret" || !resource.data) return resource;
  return { ...resource, data: Object.fromEntries(Object.keys(resource.data).map((k) => [k, "<redacted>"])) };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
