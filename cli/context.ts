// What every command needs: where state lives, how to print, and how to reach the running local platform.
import type { Command } from "commander";
import { CliError } from "./errors.js";
import { devHome, kappaHome } from "./home.js";
import { parseOutputFormat, renderData, type OutputFormat } from "./output/format.js";
import { styleFor, type Style } from "./output/style.js";
import { requireRunningDev, type DevState } from "./dev/state-file.js";

export interface GlobalOptions {
  home?: string;
  output?: string;
  cluster?: boolean;
}

export const CLUSTER_NOT_YET =
  "the cluster half comes with the operator; set --local or run kappa dev (this CLI talks to the local platform for now)";

export class CommandContext {
  readonly home: string;
  readonly devHome: string;
  readonly format: OutputFormat;
  readonly out: Style;
  readonly err: Style;

  constructor(readonly options: GlobalOptions) {
    this.home = kappaHome(options.home);
    this.devHome = devHome(this.home);
    this.format = parseOutputFormat(options.output);
    this.out = styleFor(process.stdout);
    this.err = styleFor(process.stderr);
  }

  /** The running `kappa dev`, or an error that says how to start one. */
  dev(): DevState {
    if (this.options.cluster) throw new CliError(CLUSTER_NOT_YET);
    return requireRunningDev(this.devHome);
  }

  print(text: string): void {
    process.stdout.write(text);
  }

  /** Progress and notes go to stderr so stdout stays clean for `-o json` and pipes. */
  note(text: string): void {
    process.stderr.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** Prints data as JSON/YAML when asked, else calls `human` to print the table view. */
  async emit(data: unknown, human: () => string): Promise<void> {
    this.print(this.format === "table" ? human() : await renderData(this.format, data));
  }
}

export function contextOf(command: Command): CommandContext {
  return new CommandContext(command.optsWithGlobals() as GlobalOptions);
}
