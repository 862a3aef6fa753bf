// The `kappa` entry point: build the command tree, run it, turn errors into one line and an exit code.
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { CliError, ExitCode } from "./errors.js";
import { styleFor } from "./output/style.js";

// A reader that went away (`kappa list | head`, a closed terminal) must not crash the CLI mid-cleanup.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander has already printed its message.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const err = styleFor(process.stderr);
    if (error instanceof CliError) {
      process.stderr.write(`${err.error("error:")} ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`${err.error("error:")} ${(error as Error)?.message ?? String(error)}\n`);
    if (process.env.KAPPA_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    return ExitCode.failure;
  }
}

const code = await main(process.argv);
// On failure, exit now: a half-started platform may hold a reconnecting client that would keep the process (and
// the terminal) alive. stderr is written synchronously, so the message is out. Success drains normally, so
// piped stdout is never cut short.
if (code !== 0) process.exit(code);
process.exitCode = code;
