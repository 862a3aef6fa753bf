// `kappa dev`: the whole platform on this machine, fed by a folder of manifests.
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { Logger } from "pino";
import { contextOf } from "../context.js";
import { UsageError } from "../errors.js";
import { generateAccessKey, parseAccessKey } from "../dev/access-key.js";
import { renderBanner, renderChanges, renderProblems } from "../dev/banner.js";
import { isAlive, readStateIfAny, stateFilePath } from "../dev/state-file.js";
import { existsSync, statSync } from "node:fs";
import { CliError } from "../errors.js";

interface DevOptions {
  dir: string;
  port: string;
  apiPort: string;
  redisUrl?: string;
  accessKey?: string;
  region: string;
  verbose?: boolean;
}

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description(
      "run Kappa on this machine: gateway, controller and queues over a folder of manifests, with hot reload",
    )
    .option(
      "-d, --dir <folder>",
      "folder of Function/Route/Queue/... manifests (*.yaml, searched recursively)",
      ".",
    )
    .option("-p, --port <port>", "HTTP port where functions answer (0 = any free port)", "8080")
    .option("--api-port <port>", "AWS-compatible API port: Lambda Invoke and SQS (0 = any free port)", "8081")
    .option(
      "--redis-url <url>",
      "use this Redis instead of starting a private redis-server (or set REDIS_URL)",
    )
    .option(
      "--access-key <id:secret>",
      "SigV4 credentials for the AWS API port (default: generated and printed)",
    )
    .option("--region <region>", "region the AWS SDK signs for", "us-east-1")
    .option(
      "-v, --verbose",
      "print the platform's JSON logs to stderr (else they go to <home>/dev/logs/platform.log)",
    )
    .addHelpText(
      "after",
      `
Examples:
  kappa dev --dir examples                 serve the examples on :8080 (functions) and :8081 (AWS API)
  kappa dev --dir . --port 0 --api-port 0  any free ports; \`kappa list\` shows where
  kappa dev --redis-url redis://127.0.0.1:6379 --access-key KAPPALOCALDEVKEY:kappa-local-secret

Then: curl http://127.0.0.1:8080/function/default/hello   or   kappa invoke hello`,
    )
    .action(async (options: DevOptions, command: Command) => runDev(options, command));
}

async function runDev(options: DevOptions, command: Command): Promise<void> {
  const context = contextOf(command);
  const port = parsePort(options.port, "--port");
  const apiPort = parsePort(options.apiPort, "--api-port");
  if (!existsSync(options.dir) || !statSync(options.dir).isDirectory()) {
    throw new UsageError(
      `--dir ${options.dir} is not a folder; give the folder that holds your manifests (e.g. --dir examples)`,
    );
  }
  const running = readStateIfAny(context.devHome);
  if (running && running.pid !== process.pid && isAlive(running.pid)) {
    throw new CliError(
      `a local Kappa already runs (pid ${running.pid}, folder ${running.dir}, ${running.httpUrl}); stop it first, ` +
        `or give this one its own --home (state file ${stateFilePath(context.devHome)})`,
    );
  }
  const accessKey = options.accessKey ? parseAccessKey(options.accessKey) : generateAccessKey();
  const logger = await makeLogger(context.devHome, options.verbose === true);
  const relativeDir = relative(process.cwd(), options.dir) || ".";
  const displayDir = relativeDir.startsWith("..") ? resolve(options.dir) : relativeDir;
  let lastProblems = "";
  const style = context.out;
  const started = Date.now();
  process.stdout.write(style.dim(`Starting Kappa (local mode) on folder ${displayDir}...\n`));

  // The platform (controller, gateway, queue engine, validator) is loaded here, not at CLI start-up.
  const { startLocalPlatform } = await import("../dev/local-platform.js");
  const { startServices } = await import("../dev/services.js");
  const platform = await explainListenErrors(port, apiPort, () =>
    startLocalPlatform({
      dir: options.dir,
      port,
      apiPort,
      redisUrl: options.redisUrl ?? process.env.REDIS_URL,
      accessKey,
      region: options.region,
      devHome: context.devHome,
      logger,
      startServices,
      onReload: (result, problems, first) => {
        if (!first) process.stdout.write(renderChanges(result, style));
        // The same problems on every save would bury the one line that changed: print them when they change.
        const text = renderProblems(problems, context.err);
        if (text !== lastProblems) process.stdout.write(text || style.ok("all manifests load again\n"));
        lastProblems = text;
      },
      onWatchError: (error) =>
        process.stderr.write(context.err.warn(`file watching failed: ${error.message}\n`)),
    }),
  );
  process.stdout.write(renderBanner(platform.state, platform.store, style, displayDir));
  process.stdout.write(style.dim(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`));

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write("second signal: exiting now; instances and redis are killed on the way out\n");
        process.exit(130);
      }
      stopping = true;
      process.stdout.write(style.dim(`\n${signal}: stopping instances, gateway, controller and redis...\n`));
      platform.stop().then(resolve, resolve);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
  process.stdout.write(style.dim("stopped.\n"));
  logger.flush?.();
  // Everything we started is stopped by now; a client library's idle socket or timer must not keep the
  // process (and the terminal) waiting.
  process.exit(0);
}

/** A taken port is the most common start-up failure; say which flag moves it. */
async function explainListenErrors<T>(port: number, apiPort: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { port?: number };
    if (e.code !== "EADDRINUSE") throw error;
    const taken = e.port ?? Number(/:(\d+)$/.exec(e.message)?.[1]);
    const flag = taken === apiPort ? "--api-port" : taken === port ? "--port" : "--port/--api-port";
    throw new CliError(
      `port ${taken} is already in use (another kappa dev?); stop what uses it, or pass ${flag} <other port> (0 = any free port)`,
    );
  }
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${flag} must be a port number 0-65535 (got "${value}")`);
  return port;
}

async function makeLogger(devHome: string, verbose: boolean): Promise<Logger> {
  const { pino } = await import("pino");
  if (verbose) return pino({ name: "kappa-dev" }, pino.destination(2));
  const logsDir = join(devHome, "logs");
  mkdirSync(logsDir, { recursive: true });
  return pino({ name: "kappa-dev" }, pino.destination({ dest: join(logsDir, "platform.log"), sync: true }));
}
