// The `kappa` command tree: global options and one register call per command (each in cli/commands/).
import { Command } from "commander";
import { registerCompletion } from "./commands/completion.js";
import { registerDelete } from "./commands/delete.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDescribe } from "./commands/describe.js";
import { registerDev } from "./commands/dev.js";
import { registerEnv } from "./commands/env.js";
import { registerInvoke } from "./commands/invoke.js";
import { registerKeys } from "./commands/keys.js";
import { registerList } from "./commands/list.js";
import { registerLogs } from "./commands/logs.js";
import { registerQueue } from "./commands/queue.js";
import { version } from "./version.js";

export function buildProgram(): Command {
  const program = new Command("kappa")
    .description(
      "Kappa: Lambda + API Gateway + SQS semantics, self-hosted. Run `kappa dev` to start locally.",
    )
    .version(version, "-V, --version")
    .option("--home <dir>", "where Kappa keeps its state (default ~/.kappa, or KAPPA_HOME)")
    .option("-o, --output <format>", "table (default), json or yaml")
    .option("--local", "talk to the local platform started by `kappa dev` (the default)")
    .option("--cluster", "talk to a Kubernetes cluster (comes with the operator)")
    .showHelpAfterError("(run with --help for usage and examples)")
    .addHelpText(
      "after",
      `
Examples:
  kappa dev --dir examples          start the local platform (npm start does this)
  kappa invoke hello --data '{"name":"Ada"}'
  kappa list
  kappa logs hello -f

Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong.`,
    );
  program.exitOverride();
  registerDev(program);
  registerDeploy(program);
  registerInvoke(program);
  registerLogs(program);
  registerList(program);
  registerDescribe(program);
  registerDelete(program);
  registerQueue(program);
  registerKeys(program);
  registerEnv(program);
  registerCompletion(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}
