// Starts the real runtime agent (runtime/main.ts) as a child process on a free port, and talks to it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { request } from "undici";
import { fileURLToPath } from "node:url";
import { AgentHeaders, type SpecializeRequest } from "../../../api/agent.js";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/functions/${name}`, import.meta.url));

export interface InvokeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
  functionError?: string;
  log?: string;
}

export class AgentProcess {
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** every line the agent wrote on stdout, growing while it runs */
    readonly lines: string[],
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** The agent's process id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Process ids of the agent's children whose command line matches (its host worker, its handler processes). */
  childPids(command: RegExp): number[] {
    return spawnSync("ps", ["-o", "pid=,args=", "--ppid", String(this.pid)], { encoding: "utf8" })
      .stdout.split("\n")
      .map((line) => line.trim())
      .filter((line) => command.test(line))
      .map((line) => Number(line.split(/\s+/)[0]));
  }

  /** The in-process host worker's process id (undefined while it restarts). */
  workerPid(): number | undefined {
    return this.childPids(/hosts\/node\/worker\/main\.mjs/)[0];
  }

  /** Starts runtime/main.ts, or `command` (e.g. the bundled agent of the images). */
  static async start(
    env: Record<string, string> = {},
    command: string[] = [process.execPath, "--import", "tsx", "runtime/main.ts"],
  ): Promise<AgentProcess> {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: repoRoot,
      env: { ...process.env, KAPPA_AGENT_PORT: "0", KAPPA_AGENT_HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let partial = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        const text = partial + chunk.toString("utf8");
        const parts = text.split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) {
          lines.push(line);
          try {
            const parsed = JSON.parse(line) as { msg?: string; port?: number };
            if (parsed.msg === "listening" && parsed.port) resolve(parsed.port);
          } catch {
            // not JSON: kept in lines for the assertions
          }
        }
      });
      child.once("exit", (code) =>
        reject(new Error(`agent exited with ${code}: ${stderr}\n${lines.join("\n")}`)),
      );
    });
    return new AgentProcess(child, `http://127.0.0.1:${port}`, lines);
  }

  async invoke(event: unknown, headers: Record<string, string> = {}): Promise<InvokeResponse> {
    const body = typeof event === "string" || Buffer.isBuffer(event) ? event : JSON.stringify(event);
    const res = await request(`${this.url}/invoke`, {
      method: "POST",
      headers: { [AgentHeaders.requestId]: randomUUID(), "content-type": "application/json", ...headers },
      body,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const functionError = res.headers[AgentHeaders.functionError] as string | undefined;
    const logResult = res.headers[AgentHeaders.logResult] as string | undefined;
    return {
      status: res.statusCode,
      headers: res.headers,
      text,
      json,
      ...(functionError ? { functionError } : {}),
      ...(logResult ? { log: Buffer.from(logResult, "base64").toString("utf8") } : {}),
    };
  }

  async specialize(body: Partial<SpecializeRequest> | string): Promise<{ status: number; json: unknown }> {
    const res = await request(`${this.url}/specialize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.statusCode, json: await res.body.json() };
  }

  async get(path: string): Promise<{ status: number; text: string }> {
    const res = await request(`${this.url}${path}`);
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** Function log lines (JSON) the agent wrote for one request id. */
  functionLogs(
    requestId: string,
  ): Array<{ stream: string; message: string; function: string; level: string }> {
    return this.lines
      .filter((line) => line.includes(requestId))
      .map(
        (line) =>
          JSON.parse(line) as {
            requestId?: string;
            stream: string;
            message: string;
            function: string;
            level: string;
          },
      )
      .filter((entry) => entry.requestId === requestId && entry.stream !== undefined);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

/** The function spec for a fixture directory. */
export function fixtureFunction(
  dir: string,
  handler: string,
  extra: Partial<SpecializeRequest> = {},
): SpecializeRequest {
  return {
    namespace: "default",
    name: "test-fn",
    runtime: "nodejs20",
    handler,
    code: { dir: fixture(dir) },
    ...extra,
  };
}

/** Runs a setup script that builds a client into the cache; undefined (and the caller skips) when it cannot. */
export function runSetup(script: string): string | undefined {
  const result = spawnSync("bash", [fileURLToPath(new URL(script, import.meta.url))], {
    encoding: "utf8",
    timeout: 900_000,
  });
  if (result.status !== 0) {
    process.stderr.write(`setup ${script} failed: ${result.stderr}\n`);
    return undefined;
  }
  return result.stdout.trim().split("\n").pop();
}
