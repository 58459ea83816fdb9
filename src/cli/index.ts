/** sipscope command line: yargs parses, the command runs and returns its exit code. */
import yargs, { type Argv } from 'yargs';
import { loadCommands } from './commands/index.js';
import { EXIT_LOCAL_ERROR } from './command.js';
import { processIO, type CliIO } from './io.js';

const STDIN_ARG = '\u0000stdin';

/** Set by scripts/bundle.mjs (esbuild define) to package.json's version; undefined in the plain tsc build. */
declare const SIPSCOPE_VERSION: string | undefined;

function restoreStdinArgs(argv: Record<string, unknown>): Record<string, unknown> {
  const restore = (value: unknown): unknown =>
    value === STDIN_ARG ? '-' : Array.isArray(value) ? value.map(restore) : value;
  return Object.fromEntries(Object.entries(argv).map(([key, value]) => [key, restore(value)]));
}

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

export async function main(args: string[], ioOverride?: CliIO): Promise<number> {
  let exitCode = 0;
  let failure: string | undefined;
  // made once yargs has read --color / --no-color / --color=false (io.ts says how colour is decided)
  const ioFor = (colorFlag: boolean) => ioOverride ?? processIO(colorFlag);
  // yargs drops a lone '-' (the usual name for standard input) from positionals: carry it through under another name
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
  for (const command of await loadCommands(args)) {
    parser = parser.command(command.command, command.describe, command.builder, async (argv) => {
      // yargs reports a bad option value through fail() and then still calls the handler: don't run then
      if (failure !== undefined) return;
      exitCode = await command.run(restoreStdinArgs(argv as Record<string, unknown>), ioFor(argv.color !== false));
    });
  }
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure !== undefined) {
    ioFor(false).err(`sipscope: ${failure}`);
    return EXIT_LOCAL_ERROR;
  }
  return exitCode;
}
