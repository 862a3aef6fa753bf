// How commands name things: `hello` is default/hello, `team-a/hello` names the namespace too; kinds go by
// their kind, plural, singular or short name as kubectl accepts them.
import { UsageError } from "./errors.js";

export interface ResourceId {
  namespace: string;
  name: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseResourceId(text: string, what = "function"): ResourceId {
  const parts = text.split("/");
  const [namespace, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : ["default", parts[0]!];
  if (parts.length > 2 || !NAME.test(namespace) || !NAME.test(name)) {
    throw new UsageError(
      `"${text}" is not a ${what} name: use <name> or <namespace>/<name> (lower-case letters, digits, -)`,
    );
  }
  return { namespace, name };
}

const PLAIN = [
  { kind: "Secret", names: ["secret", "secrets"] },
  { kind: "ConfigMap", names: ["configmap", "configmaps", "cm"] },
];

/** Async because the kinds table pulls in every schema, which only commands that take a kind should pay for. */
export async function parseKind(text: string): Promise<string> {
  const { Kinds } = await import("../api/resources/kinds.js");
  const wanted = text.toLowerCase();
  for (const info of Kinds) {
    if ([info.kind.toLowerCase(), info.plural, info.singular, ...info.shortNames].includes(wanted))
      return info.kind;
  }
  for (const plain of PLAIN) if (plain.names.includes(wanted)) return plain.kind;
  const known = [...Kinds.map((k) => k.plural), "secrets", "configmaps"].join(", ");
  throw new UsageError(`unknown kind "${text}"; one of ${known}`);
}
