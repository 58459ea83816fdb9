/** Every command of the CLI, in the order `sipscope --help` lists them. One line per command file. */
import type { CliCommand } from '../command.js';
import { registerCommand } from './register.js';
import { optionsCommand } from './options.js';
import { decodeCommand } from './decode.js';
import { lintCommand } from './lint.js';

export const commands: CliCommand[] = [registerCommand, optionsCommand, decodeCommand, lintCommand];
