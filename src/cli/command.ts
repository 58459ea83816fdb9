/** The shape of one CLI command: src/cli/commands/<name>.ts exports one of these. */
import type { Argv } from 'yargs';
import type { CliIO } from './io.js';

export interface CliCommand {
  /** yargs command string, e.g. 'lint <files..>'. */
  command: string;
  describe: string;
  builder(yargs: Argv): Argv;
  /** Runs the command and returns the process exit code; never calls process.exit itself. */
  run(argv: Record<string, unknown>, io: CliIO): Promise<number>;
}

/** Exit code for a local error (bad arguments, unreadable file): 2 in every sipscope command. */
export const EXIT_LOCAL_ERROR = 2;

/**
 * The `<files..>` positional as strings: numeric names arrive from yargs as numbers, and a lone '-' (stdin)
 * arrives as it was typed (src/cli/index.ts carries it past yargs).
 */
export function filesArgument(argv: Record<string, unknown>): string[] {
  return ((argv.files as unknown[] | undefined) ?? []).map(String);
}
