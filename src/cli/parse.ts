/**
 * The command line, parsed by yargs against the commands' option tables (src/cli/option-table.ts): which command
 * runs, with which arguments. Exported for the unit tests of the argument parsing (as vitest exports `parseCLI`).
 */
import yargs, { type Argv } from 'yargs';
import { commandName, type CliCommand } from './command.js';
import { badArgument, unexpectedArguments } from './exit.js';
import { argumentsOf, declareOptions, type ArgumentsOf, type OptionTable } from './option-table.js';

export interface ParsedCommandLine<Table extends OptionTable = OptionTable> {
  command: CliCommand<Table>;
  args: ArgumentsOf<Table>;
  /** --color / --no-color (src/cli/io.ts decides what it means together with the environment and the TTY). */
  color: boolean;
}

// yargs drops a lone '-' (the usual name for standard input) from positionals: carry it through under another name
const STDIN_ARG = '\u0000stdin';
const restoreStdin = (text: string): string => (text === STDIN_ARG ? '-' : text);

/** Set by scripts/bundle.mjs (esbuild define) to package.json's version; undefined in the plain tsc build. */
declare const SIPSCOPE_VERSION: string | undefined;

/**
 * yargs renders the whole help text right after starting a command, only to cache it (yargs command.js,
 * cacheHelpMessage): tens of milliseconds of string-width work on every check run from monitoring (issue 14).
 * Help that is asked for (--help, a usage error) is still rendered when it is shown.
 */
function skipHelpCache(parser: Argv): void {
  const internal = parser as unknown as { getInternalMethods?(): { getUsageInstance(): { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/**
 * Parses `args` (without the node and script names) against `commands`. Returns undefined when yargs answered by
 * itself (--help, --version); throws CliError('bad-argument') with yargs' message for an unknown command or option,
 * a missing positional or a value outside its choices, and with our own for a positional the command does not take.
 * yargs' strict mode would name such a positional ("Unknown argument: hunter2"): within a command only options are
 * checked strictly, and the extra positionals are counted, never shown (src/cli/exit.ts, unexpectedArguments).
 */
export async function parseCommandLine(args: readonly string[], commands: readonly CliCommand[]): Promise<ParsedCommandLine | undefined> {
  let failure: string | undefined;
  let parsed: ParsedCommandLine | undefined;
  let parser = yargs(args.map((arg) => (arg === '-' ? STDIN_ARG : arg)))
    .scriptName('sipscope')
    .usage('$0 <command> [options]')
    .option('color', { type: 'boolean', default: true, describe: 'colour output (off when stdout is not a TTY unless FORCE_COLOR is set; off with NO_COLOR)' })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      failure = message ?? error?.message ?? 'invalid arguments';
    });
  // the bundle (scripts/bundle.mjs) has the version written in; yargs' own package.json search costs start-up time
  parser = typeof SIPSCOPE_VERSION === 'string' ? parser.version(SIPSCOPE_VERSION) : parser.version();
  for (const command of commands) {
    parser = parser.command(
      command.command,
      command.describe,
      (builder) => (command.examples ?? []).reduce((withExamples, [line, what]) => withExamples.example(line, what), declareOptions(builder.strict(false).strictOptions(), command.options)),
      (argv) => {
        // argv._: the command's name, then what its positionals did not take
        const extra = argv._.length - 1;
        if (extra > 0) failure ??= unexpectedArguments(extra, command.command).message;
        parsed = { command, args: argumentsOf(command.options, argv, restoreStdin), color: argv.color !== false };
      },
    );
  }
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  // yargs reports a bad option value through fail() and then still calls the handler: the failure wins
  if (failure !== undefined) throw badArgument(failure);
  return parsed;
}

/** The arguments of one command, parsed as `sipscope NAME ...args` would be (for tests and for tools). */
export async function parseCommandArguments<Table extends OptionTable>(command: CliCommand<Table>, args: readonly string[]): Promise<ArgumentsOf<Table>> {
  const parsed = await parseCommandLine([commandName(command), ...args], [command as unknown as CliCommand]);
  if (parsed === undefined) throw badArgument(`${commandName(command)}: nothing to run (help or version asked for)`);
  return parsed.args as ArgumentsOf<Table>;
}
