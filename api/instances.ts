// How the controller tells every gateway which instances of a function are ready, and how gateways tell the
// controller about demand. Both sides meet in Redis so local mode and Kubernetes share one code path.
//
//   instances hash  kappa:{<ns>/<name>}:instances   field = instance id, value = JSON InstanceRecord
//                   written by the controller (the only writer); gateways read it.
//   inflight hash   kappa:{<ns>/<name>}:inflight    field = gateway id, value = JSON InflightReport;
//                   written by each gateway once a second; the controller's autoscaler reads it.
//   channel         kappa:instances                 message = "<ns>/<name>" whenever its instances change
//   channel         kappa:demand                    message = JSON DemandSignal when a gateway holds a
//                                                    request for a function with no free instance

export interface InstanceRecord {
  id: string;
  /** base URL of the agent, e.g. http://10.0.0.7:8090 */
  url: string;
  /** concurrent invocations this instance accepts (Function spec.concurrency.perInstance) */
  perInstance: number;
  /** the code hash it runs; gateways prefer instances running the function's current code */
  codeSha256?: string;
  readySince: number;
}

export interface InflightReport {
  /** average in-flight requests over the last report interval */
  average: number;
  /** highest in-flight count seen in the interval */
  max: number;
  /** requests started in the interval */
  requests: number;
  /** requests the activator is holding right now */
  waiting: number;
  /** epoch ms of the report; readers ignore reports older than a few intervals */
  at: number;
}

export interface DemandSignal {
  namespace: string;
  name: string;
  waiting: number;
  gatewayId: string;
}

export const functionKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export const RedisKeys = {
  instances: (namespace: string, name: string) => `kappa:{${namespace}/${name}}:instances`,
  inflight: (namespace: string, name: string) => `kappa:{${namespace}/${name}}:inflight`,
  instancesChannel: "kappa:instances",
  demandChannel: "kappa:demand",
} as const;
