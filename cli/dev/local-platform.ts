// Local mode, assembled: a Redis (given or private), the manifest folder loaded and watched into a
// MemoryResourceStore, the platform's services (queue engine, controller with the local-process backend,
// gateway) on top of it, the admin endpoint and the state file the other commands read.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { MemoryResourceStore } from "../../api/store.js";
import type { AccessKey } from "./access-key.js";
import { startAdminServer, type AdminServer } from "./admin-server.js";
import { FolderWatcher } from "./folder-watcher.js";
import { loadManifestFolder, type FolderLoad, type ManifestProblem } from "./manifest-loader.js";
import { startPrivateRedis, type PrivateRedis } from "./redis-server.js";
import { removeState, writeState, type DevState } from "./state-file.js";
import { StoreSync, type SyncResult } from "./store-sync.js";
import { validateDocument, validateFolderSet } from "./validate-document.js";

export interface PlatformServices {
  httpUrl: string;
  apiUrl: string;
  metricsUrl?: string;
  /** resolves once the controller has reconciled every function once (for the startup banner) */
  idle?(): Promise<void>;
  /** the controller's status of a resource (local mode keeps it in memory, outside the store) */
  statusOf?(resource: { kind: string; metadata: { namespace: string; name: string } }): unknown;
  close(): Promise<void>;
}

export interface ServiceContext {
  store: MemoryResourceStore;
  redisUrl: string;
  accessKey: AccessKey;
  region: string;
  port: number;
  apiPort: number;
  /** local mode's state folder: instance temp dirs under instances/, logs under logs/ */
  stateDir: string;
  /** per-function log files: <logsDir>/<namespace>/<name>.log (the controller's local backend writes them) */
  logsDir: string;
  logger: Logger;
}

export type StartServices = (context: ServiceContext) => Promise<PlatformServices>;

export interface LocalPlatformOptions {
  dir: string;
  port: number;
  apiPort: number;
  redisUrl?: string;
  accessKey: AccessKey;
  region: string;
  devHome: string;
  logger: Logger;
  startServices: StartServices;
  /** told after every reload of the folder, with what changed and what is wrong */
  onReload(result: SyncResult, problems: ManifestProblem[], first: boolean): void;
  onWatchError(error: Error): void;
}

export interface LocalPlatform {
  state: DevState;
  load: FolderLoad;
  store: MemoryResourceStore;
  reload(): SyncResult & { problems: ManifestProblem[] };
  stop(): Promise<void>;
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dir = resolve(options.dir);
  const stoppers: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) {
      try {
        await stopOne();
      } catch (error) {
        options.logger.warn({ err: error }, "error while stopping");
      }
    }
  };
  try {
    let redisUrl = options.redisUrl;
    if (!redisUrl) {
      const redis: PrivateRedis = await startPrivateRedis({ dataDir: join(options.devHome, "redis") });
      stoppers.push(() => redis.stop());
      redisUrl = redis.url;
    }

    const store = new MemoryResourceStore();
    const sync = new StoreSync(store);
    let load: FolderLoad = { resources: [], problems: [], codeDirs: [] };
    const watcher = new FolderWatcher(() => reloadAndTell(false), options.onWatchError);
    stoppers.push(() => watcher.close());
    const reload = () => {
      load = loadManifestFolder(dir, validateDocument);
      load.problems.push(...validateFolderSet(load.resources));
      const result = sync.apply(load.resources);
      watcher.setFolders([dir, ...load.codeDirs]);
      return { ...result, problems: load.problems };
    };
    const reloadAndTell = (first: boolean) => {
      const result = reload();
      options.onReload(result, result.problems, first);
      return result;
    };
    // Load before the services start so the controller's first reconcile already sees every function.
    reloadAndTell(true);

    const logsDir = join(options.devHome, "logs");
    mkdirSync(logsDir, { recursive: true });
    const services = await options.startServices({
      store,
      redisUrl,
      accessKey: options.accessKey,
      region: options.region,
      port: options.port,
      apiPort: options.apiPort,
      stateDir: options.devHome,
      logsDir,
      logger: options.logger,
    });
    stoppers.push(() => services.close());

    const adminToken = randomBytes(24).toString("hex");
    const admin: AdminServer = await startAdminServer(
      {
        store,
        problems: () => load.problems,
        reload: () => reloadAndTell(false),
        statusOf: services.statusOf ? (r) => services.statusOf!(r) : undefined,
      },
      adminToken,
    );
    stoppers.push(() => admin.close());

    const state: DevState = {
      pid: process.pid,
      dir,
      httpUrl: services.httpUrl,
      apiUrl: services.apiUrl,
      metricsUrl: services.metricsUrl,
      adminUrl: admin.url,
      adminToken,
      accessKeyId: options.accessKey.accessKeyId,
      secretAccessKey: options.accessKey.secretAccessKey,
      region: options.region,
      redisUrl,
      logsDir,
      startedAt: new Date().toISOString(),
    };
    writeState(options.devHome, state);
    stoppers.push(() => removeState(options.devHome, process.pid));
    return {
      state,
      get load() {
        return load;
      },
      store,
      reload: () => reloadAndTell(false),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
