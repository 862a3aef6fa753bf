// `kappa env`: the environment an AWS SDK or the AWS CLI needs to talk to the local platform, as shell exports
// (`eval "$(kappa env)"`). AWS_ENDPOINT_URL is honoured by the AWS SDKs and CLI, so code needs no change.
import type { Command } from "commander";
import { contextOf } from "../context.js";

export function registerEnv(program: Command): void {
  program
    .command("env")
    .description("print shell exports that point AWS SDKs and the AWS CLI at the local platform")
    .addHelpText(
      "after",
      `
Examples:
  eval "$(kappa env)"                      then any AWS SDK code talks to Kappa unchanged
  kappa env -o json                        the same values for scripts`,
    )
    .action(async (_o: unknown, command: Command) => {
      const context = contextOf(command);
      const state = context.dev();
      const vars = {
        AWS_ACCESS_KEY_ID: state.accessKeyId,
        AWS_SECRET_ACCESS_KEY: state.secretAccessKey,
        AWS_REGION: state.region,
        AWS_ENDPOINT_URL: state.apiUrl,
      };
      await context.emit(vars, () =>
        Object.entries(vars)
          .map(([k, v]) => `export ${k}=${v}\n`)
          .join(""),
      );
    });
}
