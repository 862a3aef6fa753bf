// A Function's spec with the schema's defaults applied, so a store fed without defaulting (local mode, tests)
// reconciles exactly like one fed by the API server. Pure.
import type { KappaFunction, Runtime } from "../../api/index.js";
import { MEMORY_MIB, TIMEOUT_SECONDS, type FunctionCode } from "../../api/resources/function.js";
import { TerminalError } from "../errors.js";

export interface FunctionConfig {
  namespace: string;
  name: string;
  generation: number;
  runtime: Runtime;
  handler: string;
  code: FunctionCode;
  env: Record<string, string>;
  memoryMiB: number;
  timeoutSeconds: number;
  perInstance: number;
  reserved?: number;
  minInstances: number;
  maxInstances: number;
  idleSeconds: number;
  /** local mode: the folder the manifest came from, for a relative code.path */
  manifestDir?: string;
}

/** The annotation local mode sets on a resource loaded from a file: the manifest's folder. */
export const MANIFEST_DIR_ANNOTATION = "kappa.dev/manifest-dir";

export function functionConfig(fn: KappaFunction): FunctionConfig {
  const spec = (fn.spec ?? {}) as Partial<KappaFunction["spec"]>;
  const field = (path: string, fix: string) =>
    new TerminalError("InvalidSpec", `Function ${fn.metadata.namespace}/${fn.metadata.name}: ${path} ${fix}`);
  if (!spec.runtime) throw field("spec.runtime", "is required (nodejs20, nodejs22, python3.11 or provided)");
  if (!spec.code || typeof spec.code !== "object")
    throw field("spec.code", "is required (inline, configMap or path)");
  const scaling = spec.scaling ?? ({} as Partial<KappaFunction["spec"]["scaling"]>);
  const minInstances = scaling.minInstances ?? 0;
  const maxInstances = scaling.maxInstances ?? 10;
  if (minInstances > maxInstances) {
    throw field(
      "spec.scaling.minInstances",
      `(${minInstances}) must be <= spec.scaling.maxInstances (${maxInstances})`,
    );
  }
  return {
    namespace: fn.metadata.namespace,
    name: fn.metadata.name,
    generation: fn.metadata.generation ?? 0,
    runtime: spec.runtime,
    handler: spec.handler ?? "",
    code: spec.code,
    env: spec.env ?? {},
    memoryMiB: spec.memoryMiB ?? MEMORY_MIB.default,
    timeoutSeconds: spec.timeoutSeconds ?? TIMEOUT_SECONDS.default,
    perInstance: spec.concurrency?.perInstance ?? 1,
    reserved: spec.concurrency?.reserved,
    minInstances,
    maxInstances,
    idleSeconds: scaling.idleSeconds ?? 300,
    manifestDir: fn.metadata.annotations?.[MANIFEST_DIR_ANNOTATION],
  };
}
