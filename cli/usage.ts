// Strict commander subcommands: an unknown option, a missing or an extra argument prints the usage
// and exits 2 (commander's own code is 1); help and version keep their 0.
import type { Command, CommanderError } from 'commander';

export const USAGE_EXIT = 2;

export function strict(cmd: Command): Command {
  return cmd
    .allowUnknownOption(false)
    .allowExcessArguments(false)
    .showHelpAfterError()
    .exitOverride((e: CommanderError) => {
      if (e.exitCode !== 0) process.exit(USAGE_EXIT);
      // Help or version: commander exits 0 when this returns.
    });
}
