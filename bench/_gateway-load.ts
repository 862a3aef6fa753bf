// What both gateway benchmarks (gateway.ts, gateway-ab.ts) load their targets with and how they start their roles.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";

/** The request body: 100 bytes of JSON. */
export const REQUEST_BODY = JSON.stringify({
  id: 1,
  name: "benchmark",
  items: [1, 2, 3],
  note: "x".repeat(40),
}).padEnd(100, " ");

/** Writes a wrk script at `path` that POSTs REQUEST_BODY as JSON with `headers`. */
export function writeWrkScript(path: string, headers: Record<string, string>): string {
  const headerLines = Object.entries({ "Content-Type": "application/json", ...headers })
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
    .join("\n");
  writeFileSync(path, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(REQUEST_BODY)}\n${headerLines}\n`);
  return path;
}

/**
 * A bench role (`node <args>`, bench/gateway.ts's upstream or gateway) started in `cwd`, with the "PORT ..." line
 * it prints once it listens.
 */
export function startRoleProcess(
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith("PORT "));
      if (line) resolve({ child, line });
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
