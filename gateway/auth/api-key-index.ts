// The gateway's view of API keys: sha256(key) -> ApiKey, built from ApiKey resources and the Secrets they name.
// The plain key is read once while building and never kept. Rebuilt lazily after any ApiKey, Secret or UsagePlan
// change in the store (hot reload, no restart).
//
// A client on a keep-alive connection presents the same key on every request, and the SHA-256 of it cost the
// gateway ~0.9 us per request (OpenSSL's one-shot digest; docs/gateway-performance.md "Eleventh round"). So each
// connection remembers the last key it presented that was found, with the entry and the build it was found in:
// the same text again on that connection, compared in constant time, gets the entry without hashing. The text
// lives as long as the connection (as its requests' heads do); a rebuild forgets every memo.
import { hash, timingSafeEqual } from "node:crypto";
import type { ApiKeySpec, ResourceStore, StoredResource, UsagePlanSpec } from "../../api/index.js";
import type { StageLogger } from "../ratelimit/index.js";

export interface IndexedApiKey {
  /** namespace/name of the ApiKey resource */
  id: string;
  name: string;
  namespace: string;
  enabled: boolean;
  usagePlan?: string;
  sha256: Buffer;
}

/** API Gateway refuses imported keys shorter than 20 characters; a short key is guessable, so we do too. */
export const MIN_API_KEY_LENGTH = 20;
const HASHED_VALUE = /^sha256:([0-9a-f]{64})$/;

// crypto.hash (one shot) rather than createHash: no Hash object per key.
export const sha256 = (value: string): Buffer => hash("sha256", value, "buffer");

/** The key material of a Secret entry: data is base64 (as Kubernetes stores it), stringData is plain. */
function secretValue(secret: StoredResource, key: string): string | undefined {
  const encoded = secret.data?.[key];
  if (encoded !== undefined) return Buffer.from(encoded, "base64").toString("utf8");
  return secret.stringData?.[key];
}

export class ApiKeyIndex {
  private byHash = new Map<string, IndexedApiKey>();
  /** the presented key's digest as bytes, for the constant-time compare (reused: lookups are synchronous) */
  private readonly presentedDigest = Buffer.alloc(32);
  /** the UsagePlan of each entry, looked up once per build (a plan change rebuilds the entries) */
  private readonly plans = new WeakMap<IndexedApiKey, { spec: UsagePlanSpec | undefined }>();
  private dirty = true;
  /** counts the builds: a memo from an earlier one is stale */
  private build = 0;
  private readonly byConnection = new WeakMap<object, ConnectionMemo>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ResourceStore,
    private readonly logger: StageLogger,
  ) {
    this.unsubscribe = store.onChange(({ resource }) => {
      if (resource.kind === "ApiKey" || resource.kind === "Secret" || resource.kind === "UsagePlan")
        this.dirty = true;
    });
  }

  /**
   * The enabled-or-not ApiKey whose key is `presented`, compared in constant time. `connection`: the client
   * connection the request came on (GatewayRequest.connection), whose last found key is remembered.
   */
  lookup(presented: string, connection?: object): IndexedApiKey | undefined {
    if (this.dirty) this.rebuild();
    const memo = connection === undefined ? undefined : this.byConnection.get(connection);
    if (memo !== undefined && memo.build === this.build && sameText(memo.presented, presented))
      return memo.entry;
    // A hex digest: crypto.hash gives a string several times faster than a Buffer.
    const hex = hash("sha256", presented, "hex");
    const entry = this.byHash.get(hex);
    if (!entry) return undefined;
    this.presentedDigest.write(hex, "hex");
    if (!timingSafeEqual(entry.sha256, this.presentedDigest)) return undefined;
    if (memo !== undefined) {
      memo.presented = presented;
      memo.entry = entry;
      memo.build = this.build;
    } else if (connection !== undefined) {
      this.byConnection.set(connection, { presented, entry, build: this.build });
    }
    return entry;
  }

  usagePlan(namespace: string, name: string): UsagePlanSpec | undefined {
    return this.store.get<StoredResource & { spec?: UsagePlanSpec }>("UsagePlan", namespace, name)?.spec;
  }

  /** The UsagePlan an entry from lookup() names, or undefined when it names none or one that does not exist. */
  planOf(entry: IndexedApiKey): UsagePlanSpec | undefined {
    if (!entry.usagePlan) return undefined;
    // Not yet rebuilt after a change: the entry may be stale, so nothing is cached for it.
    if (this.dirty) return this.usagePlan(entry.namespace, entry.usagePlan);
    let plan = this.plans.get(entry);
    if (!plan) {
      plan = { spec: this.usagePlan(entry.namespace, entry.usagePlan) };
      this.plans.set(entry, plan);
    }
    return plan.spec;
  }

  close(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    this.dirty = false;
    this.build++;
    const next = new Map<string, IndexedApiKey>();
    const ambiguous = new Set<string>();
    for (const resource of this.store.list<StoredResource & { spec?: ApiKeySpec }>("ApiKey")) {
      const entry = this.indexOne(resource);
      if (!entry) continue;
      const hex = entry.sha256.toString("hex");
      const other = next.get(hex);
      if (other) {
        ambiguous.add(hex);
        this.logger.error(
          { apiKeys: [other.id, entry.id] },
          "two ApiKeys hold the same key value; neither is accepted until one Secret is changed",
        );
        continue;
      }
      next.set(hex, entry);
    }
    for (const hex of ambiguous) next.delete(hex);
    this.byHash = next;
  }

  private indexOne(resource: StoredResource & { spec?: ApiKeySpec }): IndexedApiKey | undefined {
    const { name, namespace } = resource.metadata;
    const id = `${namespace}/${name}`;
    const spec = resource.spec;
    const secretName = spec?.secretRef?.name;
    const dataKey = spec?.secretRef?.key ?? "apiKey";
    if (!secretName) {
      this.logger.warn(
        { apiKey: id },
        "ApiKey has no spec.secretRef.name; set it to a Secret holding the key",
      );
      return undefined;
    }
    const secret = this.store.get("Secret", namespace, secretName);
    const value = secret && secretValue(secret, dataKey);
    if (value === undefined) {
      this.logger.warn(
        { apiKey: id, secret: `${namespace}/${secretName}`, key: dataKey },
        "ApiKey's Secret or its data key is missing; the key is not accepted until it exists",
      );
      return undefined;
    }
    // `kubectl create secret --from-file` keeps the file's final newline; nobody means it as part of the key.
    const material = value.replace(/\r?\n$/, "");
    const prehashed = HASHED_VALUE.exec(material);
    if (!prehashed && material.length < MIN_API_KEY_LENGTH) {
      this.logger.warn(
        { apiKey: id, secret: `${namespace}/${secretName}`, key: dataKey },
        `API key is shorter than ${MIN_API_KEY_LENGTH} characters; use a longer random key (e.g. openssl rand -hex 20)`,
      );
      return undefined;
    }
    return {
      id,
      name,
      namespace,
      enabled: spec?.enabled !== false,
      usagePlan: spec?.usagePlan,
      sha256: prehashed ? Buffer.from(prehashed[1]!, "hex") : sha256(material),
    };
  }
}

interface ConnectionMemo {
  presented: string;
  entry: IndexedApiKey;
  build: number;
}

/**
 * Whether `remembered` and `presented` are the same text, in a time that depends on the presented text's length
 * only: on a connection a proxy shares between clients, the remembered key may be another client's.
 */
function sameText(remembered: string, presented: string): boolean {
  let difference = remembered.length ^ presented.length;
  // Past the remembered text's end charCodeAt gives NaN, which | 0 makes 0: the loop runs to the presented end.
  // charCodeAt is called as a known function: looked up on the strings, V8's optimizer kept a generic property
  // load per character here (the gateway's strings come in several representations).
  for (let i = 0; i < presented.length; i++)
    difference |= (charCodeAt.call(remembered, i) | 0) ^ charCodeAt.call(presented, i);
  return difference === 0;
}

const charCodeAt = String.prototype.charCodeAt;
