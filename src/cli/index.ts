/** sipscope command line: yargs parses, the command runs and returns its exit code. */
import yargs from 'yargs';
import { commands } from './commands/index.js';
import { EXIT_LOCAL_ERROR } from './command.js';
import { processIO, type CliIO } from './io.js';

export async function main(args: string[], ioOverride?: CliIO): Promise<number> {
  let exitCode = 0;
  let failure: string | undefined;
  const colorWanted = !args.includes('--no-color');
  const io = ioOverride ?? processIO(colorWanted);
  let parser = yargs(args)
    .scriptName('sipscope')
    .usage('$0 <command> [options]')
    .option('color', { type: 'boolean', default: true, describe: 'colour output (off when not a TTY or with NO_COLOR)' })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      failure = message ?? error?.message ?? 'invalid arguments';
    });
  for (const command of commands) {
    parser = parser.command(command.command, command.describe, command.builder, async (argv) => {
      exitCode = await command.run(argv as Record<string, unknown>, io);
    });
  }
  try {
    await parser.parseAsync();
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure !== undefined) {
    io.err(`sipscope: ${failure}`);
    return EXIT_LOCAL_ERROR;
  }
  return exitCode;
}
