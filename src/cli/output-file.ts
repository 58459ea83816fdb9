/** The checks of an output file, made before a command reads or listens to anything. */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badArgument, CliError } from './exit.js';

/**
 * A file a command will write (`-o`, `--junit`, `--record`), checked before any work: it has a name, its directory
 * exists, and it is none of the command's input captures (found by identity, so that another path or a link to the
 * same file counts too): writing it would destroy the capture being read, the incident's evidence.
 */
export function checkOutputFile(output: string, files: readonly string[], option: string): void {
  if (output.trim() === '') throw badArgument(`${option} needs a file name`);
  // not stdout: the file is written whole (a capture's headers, a report), and stdout is the command's own output
  if (output === '-') throw badArgument(`${option} - : give a file name (this output is not written to stdout)`);
  const directory = dirname(resolve(output));
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError('unwritable-file', `cannot write ${output} (${option}): no directory ${directory}`);
  }
  const existing = statSync(output, { throwIfNoEntry: false });
  if (existing === undefined) return;
  for (const file of files) {
    if (file === '-') continue;
    const input = statSync(file, { throwIfNoEntry: false });
    if (input !== undefined && input.dev === existing.dev && input.ino === existing.ino) {
      throw badArgument(`${option} ${output} is the input capture ${file}: writing it would destroy it`);
    }
  }
}
