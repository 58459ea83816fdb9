/** Every command of the CLI, in the order `sipscope --help` lists them. One line per command file. */
import type { CliCommand } from '../command.js';

export const commands: CliCommand[] = [];
