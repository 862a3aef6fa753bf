// Kind name -> full resource type, for code that handles every kind (validator, store readers).
import type { ApiKey } from "./api-key.js";
import type { Authorizer } from "./authorizer.js";
import type { KappaFunction } from "./function.js";
import type { Queue } from "./queue.js";
import type { QueueTrigger } from "./queue-trigger.js";
import type { Route } from "./route.js";
import type { RuntimePool } from "./runtime-pool.js";
import type { Schedule } from "./schedule.js";
import type { UsagePlan } from "./usage-plan.js";
import type { ResourceMeta } from "../store.js";

export interface ResourceByKind {
  Function: KappaFunction;
  Route: Route;
  Authorizer: Authorizer;
  ApiKey: ApiKey;
  UsagePlan: UsagePlan;
  Queue: Queue;
  QueueTrigger: QueueTrigger;
  Schedule: Schedule;
  RuntimePool: RuntimePool;
}

export type AnyKappaResource = ResourceByKind[keyof ResourceByKind];

/** Plain Kubernetes objects local mode reads beside Kappa resources (Secret data is base64, as in Kubernetes). */
export interface SecretManifest {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ResourceMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

export interface ConfigMapManifest {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: ResourceMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/** Anything the validator accepts. */
export type ManifestResource = AnyKappaResource | SecretManifest | ConfigMapManifest;
