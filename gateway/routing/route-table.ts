// The Route resources compiled into one ordered table. Order = which route wins when several match:
//   1. host: an exact host beats a wildcard (*.example.com), which beats a route without host;
//   2. path: the most specific pattern (route-pattern.ts), as API Gateway picks;
//   3. method: a route naming the method beats ANY;
//   4. priority: higher first (the Route field "higher wins when two routes match equally");
//   5. namespace/name, so the order never depends on the order resources arrived in.
// The table is immutable: the router builds a new one on every change and swaps it in. A route without path
// parameters answers with one prepared, frozen match; a request for it allocates nothing here.
import { functionKey, routeGuardsFunction, type Route } from "../../api/index.js";
import type { MatchedRoute } from "../http/gateway-request.js";
import {
  NO_PARAMETERS,
  compareSpecificity,
  compilePattern,
  isPlainPath,
  matchPattern,
  splitPath,
  type CompiledPattern,
} from "./route-pattern.js";

export interface RouteCors {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

interface RouteEntry {
  ref: { namespace: string; name: string };
  host?: { exact?: string; suffix?: string };
  hostRank: number;
  pattern: CompiledPattern;
  methods: Set<string>;
  anyMethod: boolean;
  priority: number;
  template: Omit<MatchedRoute, "routeKey" | "pathParameters">;
  cors?: RouteCors;
  /** the route key per method the route key may name: each of `methods`, and ANY */
  routeKeys: Map<string, string>;
  /**
   * For a pattern without parameters, the whole answer per route-key method, built once and frozen: every
   * request it matches shares it, so nothing downstream may write to request.route (nothing does).
   */
  prepared?: Map<string, RouteMatch>;
}

export interface RouteMatch {
  route: MatchedRoute;
  cors?: RouteCors;
  /** a Route is always invoked synchronously; only the router's /async/function/... paths queue */
  async: false;
}

export interface RouteProblem {
  ref: { namespace: string; name: string };
  message: string;
}

export class RouteTable {
  /**
   * "namespace/name" of every function some Route guards with auth or a rate limit: such a function is reached
   * through its Routes only, or the built-in /function/ path would go around them.
   */
  readonly guardedFunctions: ReadonlySet<string>;

  private constructor(
    private readonly entries: RouteEntry[],
    readonly problems: RouteProblem[],
  ) {
    const guarded = new Set<string>();
    for (const { template } of entries) {
      if (routeGuardsFunction(template))
        guarded.add(functionKey(template.function.namespace, template.function.name));
    }
    this.guardedFunctions = guarded;
  }

  static build(routes: Route[]): RouteTable {
    const entries: RouteEntry[] = [];
    const problems: RouteProblem[] = [];
    for (const route of routes) {
      try {
        entries.push(compileRoute(route));
      } catch (error) {
        problems.push({ ref: refOf(route), message: (error as Error).message });
      }
    }
    entries.sort(compareEntries);
    return new RouteTable(entries, problems);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The winning route for a request, or undefined. `host` may carry a port; it is ignored. */
  match(method: string, host: string, rawPath: string): RouteMatch | undefined {
    const plain = isPlainPath(rawPath);
    let hostname: string | undefined;
    let rawSegments: string[] | undefined;
    for (const entry of this.entries) {
      if (entry.host && !hostMatches(entry.host, (hostname ??= stripPort(host).toLowerCase()))) continue;
      const named = entry.methods.has(method);
      if (!named && !entry.anyMethod) continue;
      const routeMethod = named ? method : "ANY";
      const literalPaths = entry.pattern.literalPaths;
      if (plain && literalPaths !== undefined) {
        if (rawPath === literalPaths[0] || rawPath === literalPaths[1])
          return entry.prepared!.get(routeMethod);
        continue;
      }
      const params = matchPattern(entry.pattern, (rawSegments ??= splitPath(rawPath)));
      if (params) return entry.prepared?.get(routeMethod) ?? withParameters(entry, routeMethod, params);
    }
    return undefined;
  }

  /** Whether any route's host and path match, ignoring the method (to answer CORS preflights). */
  matchAnyMethod(host: string, rawPath: string): RouteMatch | undefined {
    const hostname = stripPort(host).toLowerCase();
    const rawSegments = splitPath(rawPath);
    for (const entry of this.entries) {
      if (entry.host && !hostMatches(entry.host, hostname)) continue;
      const params = matchPattern(entry.pattern, rawSegments);
      if (params) return entry.prepared?.get("ANY") ?? withParameters(entry, "ANY", params);
    }
    return undefined;
  }
}

function withParameters(entry: RouteEntry, routeMethod: string, params: Record<string, string>): RouteMatch {
  const t = entry.template;
  return {
    route: {
      routeRef: t.routeRef,
      resourcePath: t.resourcePath,
      function: t.function,
      payloadFormatVersion: t.payloadFormatVersion,
      auth: t.auth,
      rateLimit: t.rateLimit,
      timeoutMilliseconds: t.timeoutMilliseconds,
      routeKey: entry.routeKeys.get(routeMethod)!,
      pathParameters: params,
    },
    cors: entry.cors,
    async: false,
  };
}

const refOf = (route: Route) => ({ namespace: route.metadata.namespace, name: route.metadata.name });

function compileRoute(route: Route): RouteEntry {
  const spec = (route.spec ?? {}) as Partial<Route["spec"]>;
  if (typeof spec.path !== "string" || !spec.path.startsWith("/")) {
    throw new Error("spec.path must start with '/'");
  }
  if (!spec.function?.name) throw new Error("spec.function.name is required");
  const pattern = compilePattern(spec.path);
  const methods = new Set<string>(spec.methods?.length ? spec.methods : ["ANY"]);
  const host = spec.host ? compileHost(spec.host) : undefined;
  const auth = spec.auth;
  const template: RouteEntry["template"] = {
    routeRef: Object.freeze(refOf(route)),
    resourcePath: spec.path,
    function: Object.freeze({
      namespace: spec.function.namespace ?? route.metadata.namespace,
      name: spec.function.name,
    }),
    payloadFormatVersion: spec.payloadFormatVersion ?? "2.0",
    auth: auth && (auth.apiKeyRequired || auth.authorizer || auth.scopes) ? auth : undefined,
    rateLimit: spec.rateLimit
      ? Object.freeze({ ...spec.rateLimit, by: spec.rateLimit.by ?? "route" })
      : undefined,
    timeoutMilliseconds: spec.timeoutMilliseconds,
  };
  const routeKeys = new Map([...methods, "ANY"].map((m) => [m, `${m} ${pattern.source}`]));
  const entry: RouteEntry = {
    ref: refOf(route),
    host,
    hostRank: host ? (host.exact ? 2 : 1) : 0,
    pattern,
    methods,
    anyMethod: methods.has("ANY"),
    priority: spec.priority ?? 0,
    cors: spec.cors,
    template,
    routeKeys,
  };
  if (!pattern.hasParameters) {
    entry.prepared = new Map();
    for (const [method, routeKey] of routeKeys) {
      const matched = Object.freeze({ ...template, routeKey, pathParameters: NO_PARAMETERS });
      entry.prepared.set(method, Object.freeze({ route: matched, cors: entry.cors, async: false as const }));
    }
  }
  return entry;
}

function compileHost(host: string): { exact?: string; suffix?: string } {
  const lower = host.toLowerCase();
  return lower.startsWith("*.") ? { suffix: lower.slice(1) } : { exact: lower };
}

function hostMatches(host: { exact?: string; suffix?: string }, hostname: string): boolean {
  if (host.exact !== undefined) return hostname === host.exact;
  return hostname.endsWith(host.suffix!) && hostname.length > host.suffix!.length;
}

function stripPort(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

function compareEntries(a: RouteEntry, b: RouteEntry): number {
  return (
    b.hostRank - a.hostRank ||
    compareSpecificity(a.pattern, b.pattern) ||
    Number(a.anyMethod) - Number(b.anyMethod) ||
    b.priority - a.priority ||
    `${a.ref.namespace}/${a.ref.name}`.localeCompare(`${b.ref.namespace}/${b.ref.name}`)
  );
}
