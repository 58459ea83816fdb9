/** What a command may touch of the outside world: output streams and colour. Only src/cli prints. */
import { Chalk, type ChalkInstance } from 'chalk';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** chalk with colour on only when stdout is a TTY, NO_COLOR is unset and --no-color was not given. */
  style: ChalkInstance;
  /** Whether stderr is a terminal (progress bars go there, and only then). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
}

export function processIO(colorWanted: boolean): CliIO {
  const useColor = colorWanted && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env);
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    style: new Chalk({ level: useColor ? 1 : 0 }),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
    stdin: process.stdin,
  };
}
