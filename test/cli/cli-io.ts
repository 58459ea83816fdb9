/** Runs the sipscope CLI in-process with captured stdout/stderr, a given environment and standard input. */
import { Readable } from 'node:stream';
import { Chalk } from 'chalk';
import { main } from '../../src/cli/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** `onErr` sees each stderr line as it is written (a run that names its bound port there). */
export async function runCli(args: string[], options: { env?: Record<string, string>; stdin?: string; onErr?: (text: string) => void } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await main(args, {
    out: (text) => { stdout += text.endsWith('\n') ? text : `${text}\n`; },
    err: (text) => {
      stderr += text.endsWith('\n') ? text : `${text}\n`;
      options.onErr?.(text);
    },
    style: new Chalk({ level: 0 }),
    interactive: false,
    env: options.env ?? {},
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
  });
  return { code, stdout, stderr, elapsedMs: Date.now() - started };
}
