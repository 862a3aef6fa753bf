// Resolves a request to a function: the built-in /function/<ns>/<name> paths first (reserved for every
// function, so a Route can never shadow them), then the Route table. The table is rebuilt from the store on
// the first request after any Route change: hot reload without a restart and without rebuilding per event.
import type { Route } from "../../api/index.js";
import type { ResourceStore } from "../../api/store.js";
import type { Logger } from "pino";
import { HttpError } from "../http/http-error.js";
import type { MatchedRoute } from "../http/gateway-request.js";
import { FUNCTION_PATH_PREFIX, parseFunctionPath } from "./function-path.js";
import { NO_PARAMETERS } from "./route-pattern.js";
import { RouteTable, type RouteCors, type RouteMatch } from "./route-table.js";

/** POST here queues an Event invocation (202) instead of waiting for the result. */
export const ASYNC_PATH_PREFIX = "/async/function/";

export interface ResolvedRoute {
  route: MatchedRoute;
  cors?: RouteCors;
  /** true for /async/function/... : the caller gets 202 and the event goes through the function's queue */
  async: boolean;
}

export const notFound = () => new HttpError(404, "NotFound", "Not Found");

/**
 * How many built-in function paths keep their resolved answer. Far more functions than one gateway serves at
 * once; the bound is there because any well-formed name can be asked for (the 404 comes later, from the
 * catalog). Past it the cache starts over rather than track recency on every request.
 */
const FUNCTION_ROUTES_CACHED = 1024;

export class Router {
  private table: RouteTable | undefined;
  /** raw path -> the frozen answer for /function/<ns>/<name> and /async/function/<ns>/<name> (no rest) */
  private readonly functionRoutes = new Map<string, ResolvedRoute>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ResourceStore,
    private readonly logger?: Logger,
  ) {
    this.unsubscribe = store.onChange((event) => {
      if (event.resource.kind === "Route") this.table = undefined;
    });
  }

  /** Throws a 404 HttpError when nothing matches, 400 for a malformed function path. */
  resolve(method: string, host: string, rawPath: string): ResolvedRoute {
    const functionPath = rawPath.startsWith(FUNCTION_PATH_PREFIX);
    if (functionPath || rawPath.startsWith(ASYNC_PATH_PREFIX)) {
      if (!functionPath && method !== "POST")
        throw new HttpError(405, "MethodNotAllowed", "use POST for /async/function/<namespace>/<name>");
      return this.functionRoutes.get(rawPath) ?? this.functionRoute(rawPath, !functionPath);
    }
    const match = this.routes().match(method, host, rawPath);
    if (!match) throw notFound();
    return match;
  }

  /** True when a Route guards the function (auth or a rate limit): then its built-in paths are closed. */
  guardsFunction(functionKey: string): boolean {
    return this.routes().guardedFunctions.has(functionKey);
  }

  /** For CORS preflights: the route a path belongs to, whatever the method. */
  resolveAnyMethod(host: string, rawPath: string): RouteMatch | undefined {
    return this.routes().matchAnyMethod(host, rawPath);
  }

  routes(): RouteTable {
    if (!this.table) {
      this.table = RouteTable.build(this.store.list<Route>("Route"));
      for (const problem of this.table.problems) {
        this.logger?.warn({ route: problem.ref, problem: problem.message }, "route ignored");
      }
    }
    return this.table;
  }

  close(): void {
    this.unsubscribe();
  }

  private functionRoute(rawPath: string, async: boolean): ResolvedRoute {
    const { namespace, name, rest } = parseFunctionPath(async ? rawPath.slice("/async".length) : rawPath);
    const base = `${FUNCTION_PATH_PREFIX}${namespace}/${name}`;
    if (rest !== undefined) {
      const route: MatchedRoute = {
        routeKey: `ANY ${base}/{proxy+}`,
        resourcePath: `${base}/{proxy+}`,
        pathParameters: { proxy: safeDecode(rest) },
        function: { namespace, name },
        payloadFormatVersion: "2.0",
      };
      return { route, async };
    }
    // Shared by every request for this path, hence frozen: nothing downstream may write to request.route.
    const route: MatchedRoute = Object.freeze({
      routeKey: `ANY ${base}`,
      resourcePath: base,
      pathParameters: NO_PARAMETERS,
      function: Object.freeze({ namespace, name }),
      payloadFormatVersion: "2.0",
    });
    const resolved = Object.freeze({ route, async });
    if (this.functionRoutes.size >= FUNCTION_ROUTES_CACHED) this.functionRoutes.clear();
    this.functionRoutes.set(rawPath, resolved);
    return resolved;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
