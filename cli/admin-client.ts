// Talks to the admin endpoint of the running `kappa dev` (see cli/dev/admin-server.ts).
import type { StoredResource } from "../api/store.js";
import { CliError } from "./errors.js";
import type { DevState } from "./dev/state-file.js";
import type { ManifestProblem } from "./dev/manifest-loader.js";

export interface ReloadResult {
  created: string[];
  updated: string[];
  deleted: string[];
  problems: ManifestProblem[];
}

export class AdminClient {
  constructor(private readonly state: DevState) {}

  async list(kind: string, namespace?: string): Promise<StoredResource[]> {
    const path =
      `/v1/resources/${encodeURIComponent(kind)}` + (namespace ? `/${encodeURIComponent(namespace)}` : "");
    return (await this.call<{ items: StoredResource[] }>("GET", path)).items;
  }

  async get(kind: string, namespace: string, name: string): Promise<StoredResource | undefined> {
    const path = `/v1/resources/${encodeURIComponent(kind)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
    return this.call<StoredResource>("GET", path, true);
  }

  problems(): Promise<{ problems: ManifestProblem[] }> {
    return this.call("GET", "/v1/problems");
  }

  reload(): Promise<ReloadResult> {
    return this.call("POST", "/v1/reload");
  }

  private async call<T>(method: string, path: string, allowMissing = false): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.state.adminUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.state.adminToken}` },
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the local platform at ${this.state.adminUrl} (${(error as Error).message}); is \`kappa dev\` still running?`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    if (response.status === 404 && allowMissing) return undefined as T;
    if (!response.ok) throw new CliError(`local platform: ${body.message ?? response.statusText}`);
    return body as T;
  }
}
