/**
 * sipscope command line: yargs parses (src/cli/parse.ts), the command runs and returns its exit code, and every
 * local error leaves through one path here (src/cli/exit.ts holds the codes).
 */
import { loadCommands } from './commands/index.js';
import { commandName, type CliCommand } from './command.js';
import { asCliError, EXIT } from './exit.js';
import { processIO, type CliIO } from './io.js';
import { printableLines } from '../report/printable.js';
import type { ArgumentsOf, OptionTable } from './option-table.js';
import { parseCommandLine, type ParsedCommandLine } from './parse.js';

export async function main(args: string[], ioOverride?: CliIO): Promise<number> {
  if (ioOverride === undefined) stopWhenReaderGoesAway();
  // made once yargs has read --color / --no-color / --color=false (io.ts says how colour is decided)
  const ioFor = (colorFlag: boolean) => ioOverride ?? processIO(colorFlag);
  let parsed: ParsedCommandLine | undefined;
  try {
    parsed = await parseCommandLine(args, await loadCommands(args));
  } catch (error) {
    return reportFailure(error, ioFor(false));
  }
  if (parsed === undefined) return EXIT.ok; // --help or --version, printed by yargs
  const io = ioFor(parsed.color);
  return runCommand(parsed.command, parsed.args, io);
}

async function runCommand<Table extends OptionTable>(command: CliCommand<Table>, args: ArgumentsOf<Table>, io: CliIO): Promise<number> {
  try {
    return await command.run(args, io);
  } catch (error) {
    const cliError = asCliError(error);
    if (cliError === undefined) return reportFailure(error, io);
    if (command.reportError) return command.reportError(cliError, args, io);
    io.err(`sipscope ${commandName(command)}: ${printableLines(cliError.message)}`);
    return EXIT.local;
  }
}

/** A bad command line, or an error no command expected: its message on stderr, EXIT.local. */
function reportFailure(error: unknown, io: CliIO): number {
  io.err(`sipscope: ${printableLines(error instanceof Error ? error.message : String(error))}`);
  return EXIT.local;
}

/**
 * `sipscope decode big.pcap | head`: once the reader of stdout (or stderr) has gone, a write fails with EPIPE
 * (Node ignores SIGPIPE, so nothing else stops the run). The run ends there, quietly, with EXIT.brokenPipe, as
 * SIGPIPE ends a C tool; any other stream error stays an error.
 */
function stopWhenReaderGoesAway(): void {
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.brokenPipe);
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
