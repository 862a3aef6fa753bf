// The platform's services in local mode. PLACEHOLDER until controller/ and gateway/ land: starts nothing.
import type { PlatformServices, ServiceContext } from "./local-platform.js";

export async function startServices(context: ServiceContext): Promise<PlatformServices> {
  return {
    httpUrl: `http://127.0.0.1:${context.port}`,
    apiUrl: `http://127.0.0.1:${context.apiPort}`,
    close: async () => {},
  };
}
