/**
 * flow, report and analyze --dataset with their read thread (the default, `--threads`: decoding and the plain scan
 * on a second thread, src/analysis/read-thread/) give exactly what they give with `--no-threads` in one thread, on
 * every fixture capture (damaged ones too): stdout, stderr and exit code, the report's HTML, the dataset's Parquet
 * files. Their hooks (flow's observer and mirror copies, the report's credential activity, the dataset's payload and
 * observer) then see the payloads the read thread made. SIPSCOPE_READ_THREAD_MIN_BYTES=0 makes the small fixtures
 * large enough for the thread; each test checks that the thread was started.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readThreadsStarted } from '../../src/analysis/read-thread/read-thread.js';
import { runCli, type CliRun } from './analysis-cli-helpers.js';

const THREADED = { SIPSCOPE_READ_THREAD_MIN_BYTES: '0' };
const scratch = mkdtempSync(join(tmpdir(), 'sipscope-read-thread-commands-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function captureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(pcap|pcapng)(\.gz)?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The Call-IDs of the capture's SIP messages as tshark reads them, in order of first sighting (never sipscope's reading). */
function tsharkCallIds(capture: string): string[] {
  let text: string;
  try {
    text = execFileSync('tshark', ['-n', '-r', capture, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    // a damaged capture: tshark prints what it read before the damage, then fails
    text = String((error as { stdout?: string }).stdout ?? '');
  }
  return [...new Set(text.split('\n').flatMap((line) => line.split(',')).map((id) => id.trim()).filter((id) => id !== ''))];
}

/** The first, middle and last Call-ID (the calls of a capture differ: HEP copies, TCP, damage come anywhere). */
function someOf(callIds: string[]): string[] {
  return [...new Set([callIds[0], callIds[Math.floor(callIds.length / 2)], callIds[callIds.length - 1]].filter((id) => id !== undefined))];
}

/** Every file under `root` with its bytes, by path relative to it. */
function filesUnder(root: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files[relative(root, join(entry.parentPath, entry.name))] = readFileSync(join(entry.parentPath, entry.name));
  }
  return files;
}

/** A run's output with `path` (an output file or directory named in it) written as OUTPUT. */
function namingOutput(run: CliRun, path: string): CliRun {
  return { code: run.code, out: run.out.split(path).join('OUTPUT'), err: run.err.split(path).join('OUTPUT') };
}

const captures = captureFiles('fixtures/captures');

describe('flow with its read thread (the default) and --no-threads', () => {
  it('draws the same ladder, copies line and findings for calls of every fixture capture', async () => {
    expect(captures.length).toBeGreaterThan(30);
    const started = readThreadsStarted;
    let runs = 0;
    for (const capture of captures) {
      for (const callId of [...someOf(tsharkCallIds(capture)), 'no-such-call-id']) {
        const oneThread = await runCli(['flow', capture, '--call-id', callId, '--no-threads'], { env: THREADED });
        const threaded = await runCli(['flow', capture, '--call-id', callId], { env: THREADED });
        expect({ capture, callId, ...threaded }).toEqual({ capture, callId, ...oneThread });
        runs++;
      }
    }
    // every run but those with --no-threads took the read thread
    expect(readThreadsStarted - started).toBe(runs);
  }, 300_000);
});

describe('report with its read thread (the default) and --no-threads', () => {
  it('writes the same HTML page and prints the same lines for every fixture capture', async () => {
    const started = readThreadsStarted;
    for (const capture of captures) {
      const pages: Record<string, { run: CliRun; html: string }> = {};
      for (const threads of ['--threads', '--no-threads']) {
        const output = join(scratch, `report${threads}.html`);
        const run = namingOutput(await runCli(['report', capture, '-o', output, threads], { env: THREADED }), output);
        // the page names the time it was written: the one thing that differs between two runs
        const html = run.code === 0 ? readFileSync(output, 'utf8').replace(/written by sipscope report at [0-9T:.Z-]+/g, 'written by sipscope report at TIME') : '';
        rmSync(output, { force: true });
        pages[threads] = { run, html };
      }
      expect({ capture, ...pages['--threads'] }).toEqual({ capture, ...pages['--no-threads'] });
    }
    expect(readThreadsStarted - started).toBe(captures.length);
  }, 300_000);
});

describe('analyze --dataset with its read thread (the default) and --no-threads', () => {
  it('writes the same Parquet files and prints the same output for every fixture capture', async () => {
    const started = readThreadsStarted;
    for (const capture of captures) {
      const written: Record<string, { run: CliRun; files: Record<string, Buffer> }> = {};
      for (const threads of ['--threads', '--no-threads']) {
        const dataset = join(scratch, `dataset${threads}`);
        const run = namingOutput(await runCli(['analyze', capture, '--json', '--dataset', dataset, '--host', 'sbc1', threads], { env: THREADED }), dataset);
        written[threads] = { run, files: existsSync(dataset) ? filesUnder(dataset) : {} };
        rmSync(dataset, { recursive: true, force: true });
      }
      expect({ capture, ...written['--threads'] }).toEqual({ capture, ...written['--no-threads'] });
    }
    expect(readThreadsStarted - started).toBe(captures.length);
  }, 300_000);
});
