/**
 * Every command of the CLI, in the order `sipscope --help` lists them. Each is loaded only when it is asked for
 * (start-up time of a single check is what scripts and monitoring pay on every run); help loads them all.
 */
import type { CliCommand } from '../command.js';

export const commandLoaders: Readonly<Record<string, () => Promise<CliCommand>>> = {
  register: async () => (await import('./register.js')).registerCommand,
  options: async () => (await import('./options.js')).optionsCommand,
  call: async () => (await import('./call.js')).callCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  rotate: async () => (await import('./rotate.js')).rotateCommand,
  decode: async () => (await import('./decode.js')).decodeCommand,
  lint: async () => (await import('./lint.js')).lintCommand,
  analyze: async () => (await import('./analyze.js')).analyzeCommand,
  calls: async () => (await import('./calls.js')).callsCommand,
  flow: async () => (await import('./flow.js')).flowCommand,
  extract: async () => (await import('./extract.js')).extractCommand,
  token: async () => (await import('./token.js')).tokenCommand,
};

/** The commands a run needs: the one named first on the command line, or all of them (help, unknown names). */
export async function loadCommands(args: readonly string[]): Promise<CliCommand[]> {
  const named = args.find((arg) => !arg.startsWith('-'));
  const wanted = named !== undefined && Object.hasOwn(commandLoaders, named) ? [commandLoaders[named]] : Object.values(commandLoaders);
  return Promise.all(wanted.map((load) => load()));
}
