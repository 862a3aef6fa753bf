// An issuer's signing keys, fetched from its JWKS URL (or found through OIDC discovery) and cached. A token whose
// kid is unknown triggers one refetch (key rotation), at most once per cooldown so forged kids cannot make us
// hammer the issuer. If a refresh fails, the keys we have keep working.
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from "jose";
import type { Clock, StageLogger } from "../ratelimit/index.js";

export type FetchFunction = (
  url: string,
  init: { signal: AbortSignal; redirect: "error"; headers: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export interface JwksCacheOptions {
  issuer: string;
  jwksUrl?: string;
  fetch: FetchFunction;
  clock: Clock;
  logger: StageLogger;
  /** least time between two fetches caused by unknown kids; default 30 s */
  cooldownMs: number;
  /** refresh keys older than this on the next token; default 10 min */
  maxAgeMs: number;
  /** each fetch gives up after this long (API Gateway: 1500 ms) */
  timeoutMs: number;
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export class JwksCache {
  private local: KeyResolver | undefined;
  private fetchedAt = -Infinity;
  private pending: Promise<void> | undefined;
  private discoveredUrl: string | undefined;
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions) {}

  /** jose's key lookup: finds the key for the token's header, refetching once on an unknown kid. */
  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const now = this.options.clock.now();
    if (!this.local || now - this.fetchedAt > this.options.maxAgeMs) await this.refresh(!this.local);
    if (!this.local) throw new errors.JWKSNoMatchingKey("no signing keys available");
    try {
      return await this.local(header, token);
    } catch (error) {
      const coolingDown = this.options.clock.now() - this.fetchedAt < this.options.cooldownMs;
      if (!(error instanceof errors.JWKSNoMatchingKey) || coolingDown) throw error;
      await this.refresh(false);
      return this.local(header, token);
    }
  };

  /** One fetch at a time; concurrent callers share it. `required`: throw when it fails and there are no keys. */
  private async refresh(required: boolean): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => {
      this.pending = undefined;
    });
    try {
      await this.pending;
    } catch (error) {
      this.options.logger.warn(
        { issuer: this.options.issuer, err: error instanceof Error ? error.message : String(error) },
        "could not fetch the JWKS",
      );
      if (required && !this.local) throw error;
    }
  }

  private async fetchKeys(): Promise<void> {
    // Counted before the fetch: a failing issuer is held to the same cooldown as a working one.
    this.fetchedAt = this.options.clock.now();
    this.fetches++;
    const url = this.options.jwksUrl ?? (await this.discover());
    const jwks = await this.getJson(url);
    if (!jwks || typeof jwks !== "object" || !Array.isArray((jwks as { keys?: unknown }).keys)) {
      throw new Error(`${url} did not return a JWKS ({"keys": [...]})`);
    }
    this.local = createLocalJWKSet(jwks as JSONWebKeySet);
  }

  private async discover(): Promise<string> {
    if (this.discoveredUrl) return this.discoveredUrl;
    const url = `${this.options.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const document = (await this.getJson(url)) as { jwks_uri?: unknown } | undefined;
    const jwksUri = document?.jwks_uri;
    if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
      throw new Error(`${url} has no http(s) jwks_uri`);
    }
    this.discoveredUrl = jwksUri;
    return jwksUri;
  }

  private async getJson(url: string): Promise<unknown> {
    const response = await this.options.fetch(url, {
      signal: AbortSignal.timeout(this.options.timeoutMs),
      redirect: "error",
      headers: { accept: "application/json, application/jwk-set+json" },
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }
}
