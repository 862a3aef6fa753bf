// A Route's path pattern, compiled once: literal segments, {param} segments and one trailing greedy {name+}.
// Specificity follows API Gateway: at the first position where two patterns differ, a literal beats a
// parameter, which beats a greedy segment.

export type Segment =
  { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

/** Higher is more specific; "end of pattern" ranks below everything. */
const RANK = { literal: 3, param: 2, greedy: 1 } as const;

export interface CompiledPattern {
  source: string;
  segments: Segment[];
  ranks: number[];
  hasGreedy: boolean;
  /** whether matching yields path parameters ({param} or {greedy+} segments) */
  hasParameters: boolean;
  /**
   * For a pattern of literal segments only: the one raw path (and its trailing-slash twin) that matches it
   * when the raw path has no percent-escape, so such a request is matched by comparing two strings.
   * Undefined when a literal is empty or holds a '/' (the segment-wise match decides those).
   */
  literalPaths?: readonly string[];
}

/** What a pattern without parameters yields: shared, so it must never be written to. */
export const NO_PARAMETERS: Record<string, string> = Object.freeze({});

const PARAM = /^\{([A-Za-z0-9_.-]+)\}$/;
const GREEDY = /^\{([A-Za-z0-9_.-]+)\+\}$/;

/** Splits a path into segments; "/" and "" have none, and a trailing slash is ignored. */
export function splitPath(path: string): string[] {
  const parts = path.split("/");
  if (parts[0] === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

export function compilePattern(source: string): CompiledPattern {
  const segments: Segment[] = splitPath(source).map((part, index, all): Segment => {
    const greedy = GREEDY.exec(part);
    if (greedy) {
      if (index !== all.length - 1)
        throw new Error(`greedy segment ${part} must be the last segment of ${source}`);
      return { kind: "greedy", name: greedy[1]! };
    }
    const param = PARAM.exec(part);
    if (param) return { kind: "param", name: param[1]! };
    if (part.includes("{") || part.includes("}")) {
      throw new Error(
        `segment ${JSON.stringify(part)} of ${source}: a parameter must be a whole segment like {id}`,
      );
    }
    return { kind: "literal", value: safeDecode(part) ?? part };
  });
  const hasParameters = segments.some((s) => s.kind !== "literal");
  return {
    source,
    segments,
    ranks: segments.map((s) => RANK[s.kind]),
    hasGreedy: segments.some((s) => s.kind === "greedy"),
    hasParameters,
    literalPaths: hasParameters ? undefined : literalPathsOf(segments as LiteralSegment[]),
  };
}

type LiteralSegment = Extract<Segment, { kind: "literal" }>;

function literalPathsOf(segments: LiteralSegment[]): readonly string[] | undefined {
  if (segments.length === 0) return ["/"]; // splitPath gives no segments for "/" only (and "", never a path)
  if (segments.some((s) => s.value === "" || s.value.includes("/"))) return undefined;
  const path = `/${segments.map((s) => s.value).join("/")}`;
  return [path, `${path}/`];
}

/** Whether matchPattern's answer for this raw path may be read from `literalPaths` instead. */
export const isPlainPath = (rawPath: string): boolean =>
  rawPath.charCodeAt(0) === 0x2f && !rawPath.includes("%");

/**
 * Matches raw path segments; returns decoded path parameters (NO_PARAMETERS for a pattern without any), or
 * undefined when it does not match.
 */
export function matchPattern(
  pattern: CompiledPattern,
  rawSegments: string[],
): Record<string, string> | undefined {
  const { segments } = pattern;
  if (pattern.hasGreedy ? rawSegments.length < segments.length : rawSegments.length !== segments.length) {
    return undefined;
  }
  let params: Record<string, string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const raw = rawSegments[i]!;
    if (segment.kind === "greedy") {
      const rest = rawSegments.slice(i).join("/");
      const decoded = safeDecode(rest);
      if (decoded === undefined || rest === "") return undefined;
      (params ??= {})[segment.name] = decoded;
      return params;
    }
    const decoded = safeDecode(raw);
    if (decoded === undefined) return undefined;
    if (segment.kind === "literal") {
      if (decoded !== segment.value) return undefined;
    } else {
      if (decoded === "") return undefined;
      (params ??= {})[segment.name] = decoded;
    }
  }
  return params ?? NO_PARAMETERS;
}

/** Negative when a is more specific than b. */
export function compareSpecificity(a: CompiledPattern, b: CompiledPattern): number {
  const length = Math.max(a.ranks.length, b.ranks.length);
  for (let i = 0; i < length; i++) {
    const diff = (b.ranks[i] ?? 0) - (a.ranks[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function safeDecode(value: string): string | undefined {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
