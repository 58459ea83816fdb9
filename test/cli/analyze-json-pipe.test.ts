/**
 * `sipscope analyze big.pcap --json | slow-reader`: the calls, set aside in a spool until the summary is known, are
 * read back at the end in one burst. Into a pipe that burst is written as the pipe takes it (a full pipe waited
 * for), not queued in memory whole behind the reader; the output is the same as into a file, and a reader that
 * goes away mid-burst ends the run with 141. The CLI as a user runs it, on a 50 MB capture (~2 MB of calls' JSON) made by
 * bench/make-capture.mjs (the spool goes to its file past 1 MiB; a pipe holds 64 KiB).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';

let dir: string;
let capture: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-json-pipe-'));
  capture = join(dir, 'calls.pcap');
  execFileSync(process.execPath, ['bench/make-capture.mjs', '--size', '50', '--out', capture], { stdio: 'ignore' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs analyze --json with stdout a pipe that is not read for `pauseMs`, then read (or closed after its first bytes). */
async function throughPipe(pauseMs: number, closeEarly: boolean): Promise<{ code: number | null; output: Buffer; stderr: string }> {
  const child = spawn(process.execPath, ['bin/sipscope.js', 'analyze', capture, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const chunks: Buffer[] = [];
  if (closeEarly) child.stdout.once('data', () => child.stdout.destroy());
  else child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  return { code: await exited, output: Buffer.concat(chunks), stderr };
}

describe('analyze --json into a pipe', () => {
  it('writes the spooled calls as a slow reader takes them: the same bytes as into a file', { timeout: 60_000 }, async () => {
    const file = join(dir, 'out.json');
    execFileSync('sh', ['-c', `"${process.execPath}" bin/sipscope.js analyze "${capture}" --json > "${file}"; test $? -le 1`]);
    const expected = readFileSync(file);
    // more than a pipe and more than the spool's memory: the burst goes through the full-pipe wait
    expect(expected.length).toBeGreaterThan(2 * 1024 * 1024);
    const { code, output, stderr } = await throughPipe(1500, false);
    expect(stderr).toBe('');
    expect(code === EXIT.ok || code === EXIT.failed).toBe(true);
    expect(output.equals(expected)).toBe(true);
  });

  it('stops with 141 when the reader goes away during the burst', { timeout: 60_000 }, async () => {
    const { code, stderr } = await throughPipe(1500, true);
    expect(code).toBe(EXIT.brokenPipe);
    expect(stderr).toBe('');
  });
});
