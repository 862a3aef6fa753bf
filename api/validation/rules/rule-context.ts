// What a per-resource rule may know besides the resource itself.
import type { Issue } from "../issue.js";

export interface RuleContext {
  /** code.path is a local-mode feature (kappa dev); a cluster cannot read the author's disk */
  allowCodePath: boolean;
}

export type ResourceRule<R> = (resource: R, context: RuleContext) => Issue[];
