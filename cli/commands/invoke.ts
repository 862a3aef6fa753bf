// `kappa invoke <fn>`: one invocation through the Lambda Invoke API (SigV4, the real AWS SDK), sync or async.
import { readFileSync } from "node:fs";
import type { InvokeCommandOutput } from "@aws-sdk/client-lambda";
import type { Command } from "commander";
import { lambdaClient, lambdaFunctionName } from "../aws-clients.js";
import { contextOf } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { parseResourceId } from "../names.js";

interface InvokeOptions {
  data?: string;
  async?: boolean;
  log?: boolean;
}

export function registerInvoke(program: Command): void {
  program
    .command("invoke")
    .argument("<function>", "name or namespace/name")
    .option("-d, --data <json|@file>", "the event: JSON text, or @path to read it from a file (default {})")
    .option("--async", "invoke asynchronously (InvocationType Event): returns at once with 202")
    .option("--log", "print the last 4 KB of the invocation's log to stderr (LogType Tail)")
    .description("invoke a function through the Lambda Invoke API and print its result")
    .addHelpText(
      "after",
      `
Examples:
  kappa invoke hello
  kappa invoke hello --data '{"name":"Ada"}' --log
  kappa invoke worker --data @event.json --async
  kappa invoke hello -o json | jq .payload

Exit code 1 when the function returned an error (X-Amz-Function-Error) or the call failed.`,
    )
    .action(async (target: string, options: InvokeOptions, command: Command) => {
      const context = contextOf(command);
      const id = parseResourceId(target);
      const payload = readEvent(options.data);
      const state = context.dev();
      const { InvokeCommand } = await import("@aws-sdk/client-lambda");
      const client = await lambdaClient(state);
      let output: InvokeCommandOutput;
      try {
        output = await client.send(
          new InvokeCommand({
            FunctionName: lambdaFunctionName(id),
            InvocationType: options.async ? "Event" : "RequestResponse",
            LogType: options.log && !options.async ? "Tail" : "None",
            Payload: Buffer.from(payload),
          }),
        );
      } catch (error) {
        const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : "";
        throw new CliError(
          `invoke ${id.namespace}/${id.name} failed: ${e.name ?? "Error"}${status}: ${e.message ?? String(error)}`,
        );
      } finally {
        client.destroy();
      }
      const text = output.Payload ? Buffer.from(output.Payload).toString("utf8") : "";
      const log = output.LogResult ? Buffer.from(output.LogResult, "base64").toString("utf8") : undefined;
      const requestId = output.$metadata.requestId;
      if (log !== undefined && context.format === "table") context.note(context.err.dim(log.trimEnd()));
      await context.emit(
        {
          statusCode: output.StatusCode,
          functionError: output.FunctionError,
          requestId,
          payload: parseMaybe(text),
          log,
        },
        () =>
          options.async
            ? context.out.ok(`accepted (${output.StatusCode}), request id ${requestId ?? "?"}\n`)
            : text + (text.endsWith("\n") ? "" : "\n"),
      );
      if (output.FunctionError)
        throw new CliError(`the function returned an error (${output.FunctionError})`);
    });
}

function readEvent(data: string | undefined): string {
  if (data === undefined) return "{}";
  let text = data;
  if (data.startsWith("@")) {
    try {
      text = readFileSync(data.slice(1), "utf8");
    } catch (error) {
      throw new UsageError(
        `--data ${data}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data must be JSON (or @file with JSON): ${(error as Error).message}`);
  }
  return text;
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
