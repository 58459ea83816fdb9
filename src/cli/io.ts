/** What a command may touch of the outside world: output streams and colour. Only src/cli prints. */
import { Chalk, type ChalkInstance } from 'chalk';
import { writeSync } from 'node:fs';
import { EXIT } from './exit.js';

export interface CliIO {
  out(text: string): void;
  /** Bytes to stdout as they are (large outputs: no string conversion); when absent, commands use `out`. */
  outBytes?(bytes: Uint8Array): void;
  /** Whether stdout has written through everything given to outBytes (holds none of those bytes any more). */
  outBytesWritten?(): boolean;
  /**
   * Bytes to stdout now, waiting while a pipe is full: for a burst of output (a spool read back) that would
   * otherwise queue in memory whole behind a slower reader. In order with outBytes only while outBytesWritten().
   */
  outBytesNow?(bytes: Uint8Array): void;
  err(text: string): void;
  /** chalk with colour on or off as `colorEnabled` decides (output meant for files and pipes has none). */
  style: ChalkInstance;
  /** Whether stderr is a terminal (progress bars go there, and only then). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
}

/**
 * Whether output gets colour, the first rule that applies deciding:
 * 1. `--no-color` (or `--color=false`) given: no colour.
 * 2. NO_COLOR set and not empty (https://no-color.org): no colour.
 * 3. FORCE_COLOR set, as chalk and Node read it: '0' or 'false' means no colour, any other value colour even when
 *    stdout is not a terminal (`sipscope flow ... | less -R`).
 * 4. Otherwise colour only when stdout is a terminal.
 * An explicit "no colour" is never overridden. JSON, JUnit and monitoring outputs never carry colour.
 */
export function colorEnabled(colorFlag: boolean, env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  if (!colorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stdoutIsTTY;
}

export function processIO(colorFlag: boolean): CliIO {
  const useColor = colorEnabled(colorFlag, process.env, Boolean(process.stdout.isTTY));
  return {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    outBytes: (bytes) => process.stdout.write(bytes),
    // a file, a terminal or a blocking pipe writes at once; a stream that queues the bytes holds them until written
    outBytesWritten: () => process.stdout.writableLength === 0,
    outBytesNow: (bytes) => writeAllNow(1, bytes),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    style: new Chalk({ level: useColor ? 1 : 0 }),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
    // read on use: process.stdin builds its stream (tty, pipe or file) when first touched, ~4 ms of every start
    get stdin() {
      return process.stdin;
    },
  };
}

/** How long writeAllNow waits for a full pipe before it tries again. */
const FULL_PIPE_WAIT_MS = 1;
const waitCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `bytes` to `fd` before it returns: a pipe that is full (EAGAIN: Node makes stdout's pipe
 * non-blocking) is waited for, a millisecond at a time. A reader gone (EPIPE) ends the run as a closed stdout
 * does elsewhere (EXIT.brokenPipe).
 */
function writeAllNow(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(EXIT.brokenPipe);
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(waitCell, 0, 0, FULL_PIPE_WAIT_MS);
    }
  }
}
