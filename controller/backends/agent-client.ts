// The controller's side of api/agent.ts: the calls it makes on an instance's agent (health, readiness, specialize).
import type { SpecializeRequest } from "../../api/agent.js";
import { RetryError, TerminalError } from "../errors.js";

/** Specialization loads code and runs the handler's init; Lambda allows init 10 s, we allow more for slow disks. */
const SPECIALIZE_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 2_000;

export async function probe(url: string, path: "/healthz" | "/readyz"): Promise<boolean> {
  try {
    const response = await fetch(new URL(path, url), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** What a successful /specialize says: the agent stays ready even when the handler's init threw (as Lambda does:
 * the error surfaces on invokes), so the controller reports it instead. */
export interface SpecializeResult {
  initError?: string;
}

export async function specializeAgent(url: string, request: SpecializeRequest): Promise<SpecializeResult> {
  let response: Response;
  try {
    response = await fetch(new URL("/specialize", url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(SPECIALIZE_TIMEOUT_MS),
    });
  } catch (error) {
    throw new RetryError(
      `specialize ${request.namespace}/${request.name} at ${url}: ${(error as Error).message}`,
    );
  }
  const text = await response.text();
  if (response.status === 200) {
    try {
      const body = JSON.parse(text) as { initError?: { errorType?: string; errorMessage?: string } };
      if (body.initError)
        return { initError: `${body.initError.errorType ?? "Error"}: ${body.initError.errorMessage ?? ""}` };
    } catch {
      // a 200 without a JSON body is a plain success
    }
    return {};
  }
  let detail = text.slice(0, 2000);
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    detail = [body.code, body.message].filter(Boolean).join(": ") || detail;
  } catch {
    // not JSON: keep the text
  }
  if (response.status === 400)
    throw new TerminalError("SpecializeRejected", `the agent rejected the function: ${detail}`);
  throw new RetryError(`specialize answered ${response.status}: ${detail}`);
}

/** Polls until `check` passes or `timeoutMs` elapses. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
