/**
 * The shape of one CLI command: src/cli/commands/<name>.ts exports one, made with `defineCommand` so that `run`'s
 * arguments are typed from the option table (docs/architecture.md, "How to add a command").
 */
import type { CliError } from './exit.js';
import type { CliIO } from './io.js';
import type { ArgumentsOf, OptionTable } from './option-table.js';

export interface CliCommand<Table extends OptionTable = OptionTable> {
  /** yargs command string, e.g. 'lint <files..>'; each positional is also an entry of `options`. */
  command: string;
  describe: string;
  /** Every positional and option of the command, declared once (src/cli/option-table.ts). */
  options: Table;
  /** `[command line, what it does]` pairs shown by --help. */
  examples?: ReadonlyArray<readonly [string, string]>;
  /**
   * Runs the command and returns the process exit code (src/cli/exit.ts); never prints the error of a local
   * problem itself: throws a CliError instead. Never calls process.exit.
   */
  run(args: ArgumentsOf<Table>, io: CliIO): Promise<number>;
  /**
   * How a CliError is shown, for commands whose output form (--json, --nagios) must carry it too; returns the exit
   * code. Without it: `sipscope NAME: message` on stderr and EXIT.local.
   */
  reportError?(error: CliError, args: ArgumentsOf<Table>, io: CliIO): number;
}

/** A command whose `run` receives the arguments its table declares (the generic is inferred from `options`). */
export function defineCommand<const Table extends OptionTable>(command: CliCommand<Table>): CliCommand<Table> {
  return command;
}

/** The command's name: the first word of its command string. */
export function commandName(command: Pick<CliCommand, 'command'>): string {
  return command.command.split(' ')[0];
}
