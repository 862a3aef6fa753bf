// Points testcontainers at the Docker engine started by test/images/docker-up.sh. No image can be pulled on the
// test machines, so tests use images built locally (kappa-test/redis:<version>) and the reaper stays disabled.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface DockerTestEnv {
  /** unix:///run/kappa-docker.sock */
  dockerHost: string;
  /** The locally built Redis image, e.g. kappa-test/redis:7.0.15. */
  redisImage: string;
}

export function dockerEnvFile(): string {
  return join(process.env.KAPPA_STATE_ROOT ?? join(homedir(), ".kappa"), "docker.env");
}

/** Parses KEY=VALUE lines; ignores blank lines and # comments. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Reads ~/.kappa/docker.env and sets DOCKER_HOST and TESTCONTAINERS_RYUK_DISABLED in process.env (values already
 * set in the environment win). Call it before the first testcontainers call.
 */
export function useTestDocker(): DockerTestEnv {
  let text: string;
  try {
    text = readFileSync(dockerEnvFile(), "utf8");
  } catch {
    throw new Error(
      `no test Docker engine: ${dockerEnvFile()} is missing. Start one with: bash test/images/docker-up.sh`,
    );
  }
  const vars = parseEnvFile(text);
  for (const [key, value] of Object.entries(vars)) {
    process.env[key] ??= value;
  }
  const dockerHost = process.env.DOCKER_HOST;
  const redisImage = process.env.KAPPA_REDIS_IMAGE;
  if (!dockerHost || !redisImage) {
    throw new Error(
      `${dockerEnvFile()} lacks DOCKER_HOST or KAPPA_REDIS_IMAGE; rerun: bash test/images/docker-up.sh`,
    );
  }
  return { dockerHost, redisImage };
}
