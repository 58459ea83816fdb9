/**
 * `sipscope decode big.pcap | head`: when the reader of stdout goes away, the run stops quietly with 141 (128 +
 * SIGPIPE, as tshark or grep end), with no stack trace on stderr. The CLI as a user runs it (bin/sipscope.js, the
 * build), fed a live pcap stream on stdin so that the output goes on after the reader has closed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';

/** A recorded classic pcap: its 24-byte file header, then records that can be sent again and again. */
const CAPTURE = readFileSync('fixtures/captures/recorded/any-sll2.pcap');
const PCAP_HEADER_BYTES = 24;

/**
 * Runs the CLI on a pcap stream, closes its stdout once output came, sends more. `burst`: packets until output comes
 * (decode writes in large chunks); else the capture once, then a wait (a live analyze reports a call once its input
 * has been idle for a moment).
 */
async function runUntilReaderLeaves(args: string[], burst: boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/sipscope.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.on('error', () => undefined); // the child may be gone before the last write
  let output = false;
  child.stdout.once('data', () => (output = true));
  const more = () => new Promise((resolve) => child.stdin.write(CAPTURE.subarray(PCAP_HEADER_BYTES), resolve));
  child.stdin.write(CAPTURE);
  // until the first output arrives; then the reader goes away, as head does after its lines (bounded: 2000 copies
  // are 22 MB, 400 waits 8 s)
  for (let copy = 0; copy < (burst ? 2000 : 400) && !output; copy++) {
    if (burst) await more();
    if (copy % 50 === 49 || !burst) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(output).toBe(true);
  child.stdout.destroy();
  // more packets, so that the command has more to write after the reader left (bounded)
  for (let copy = 0; copy < 200 && child.exitCode === null; copy++) {
    await more();
    if (copy % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.stdin.end();
  return { code: await exited, stderr };
}

describe('a closed stdout', () => {
  it('decode stops quietly with 141 once the reader of its output has gone', { timeout: 20_000 }, async () => {
    const { code, stderr } = await runUntilReaderLeaves(['decode', '-', '--json'], true);
    expect(code).toBe(EXIT.brokenPipe);
    expect(code).toBe(141);
    expect(stderr).toBe('');
  });

  it('a live analyze (--follow --jsonl) does the same', { timeout: 20_000 }, async () => {
    const { code, stderr } = await runUntilReaderLeaves(['analyze', '-', '--follow', '--jsonl'], false);
    expect(code).toBe(EXIT.brokenPipe);
    expect(stderr).toBe('');
  });
});
