/** Every command of the CLI, in the order `sipscope --help` lists them. One line per command file. */
import type { CliCommand } from '../command.js';
import { registerCommand } from './register.js';
import { optionsCommand } from './options.js';
import { decodeCommand } from './decode.js';
import { lintCommand } from './lint.js';
import { analyzeCommand } from './analyze.js';
import { callsCommand } from './calls.js';
import { flowCommand } from './flow.js';
import { extractCommand } from './extract.js';

export const commands: CliCommand[] = [registerCommand, optionsCommand, decodeCommand, lintCommand, analyzeCommand, callsCommand, flowCommand, extractCommand];
