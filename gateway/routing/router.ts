// Resolves a request to a function: the built-in /function/<ns>/<name> paths first (reserved for every
// function, so a Route can never shadow them), then the Route table. The table is rebuilt from the store on
// the first request after any Route change: hot reload without a restart and without rebuilding per event.
import type { Route } from "../../api/index.js";
import type { ResourceStore } from "../../api/store.js";
import type { Logger } from "pino";
import { HttpError } from "../http/http-error.js";
import type { MatchedRoute } from "../http/gateway-request.js";
import { FUNCTION_PATH_PREFIX, parseFunctionPath } from "./function-path.js";
import { RouteTable, type RouteMatch } from "./route-table.js";

/** POST here queues an Event invocation (202) instead of waiting for the result. */
export const ASYNC_PATH_PREFIX = "/async/function/";

export interface ResolvedRoute extends RouteMatch {
  /** true for /async/function/... : the caller gets 202 and the event goes through the function's queue */
  async: boolean;
}

export const notFound = () => new HttpError(404, "NotFound", "Not Found");

export class Router {
  private table: RouteTable | undefined;
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
    if (rawPath.startsWith(FUNCTION_PATH_PREFIX)) {
      return { route: this.functionRoute(rawPath), async: false };
    }
    if (rawPath.startsWith(ASYNC_PATH_PREFIX)) {
      if (method !== "POST")
        throw new HttpError(405, "MethodNotAllowed", "use POST for /async/function/<namespace>/<name>");
      return { route: this.functionRoute(rawPath.slice("/async".length)), async: true };
    }
    const match = this.routes().match(method, host, rawPath);
    if (!match) throw notFound();
    return { ...match, async: false };
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

  private functionRoute(rawPath: string): MatchedRoute {
    const { namespace, name, rest } = parseFunctionPath(rawPath);
    const base = `${FUNCTION_PATH_PREFIX}${namespace}/${name}`;
    return {
      routeKey: rest === undefined ? `ANY ${base}` : `ANY ${base}/{proxy+}`,
      resourcePath: rest === undefined ? base : `${base}/{proxy+}`,
      pathParameters: rest === undefined ? {} : { proxy: safeDecode(rest) },
      function: { namespace, name },
      payloadFormatVersion: "2.0",
    };
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
