/**
 * `analyze` with its read thread (the default, `--threads`: decoding and the plain scan on a second thread,
 * src/analysis/read-thread/) prints exactly what `analyze --no-threads` prints in one thread: text, --json and
 * --jsonl, the decode issues and analysis issues on stderr, the progress bar, the exit code, on every fixture capture
 * (damaged ones too) and for an input that is no capture. SIPSCOPE_READ_THREAD_MIN_BYTES=0 makes the small fixtures
 * large enough for the thread.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readThreadsStarted } from '../../src/analysis/read-thread/read-thread.js';
import { runCli } from './analysis-cli-helpers.js';

const THREADED = { SIPSCOPE_READ_THREAD_MIN_BYTES: '0' };

function captureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(pcap|pcapng)(\.gz)?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

describe('analyze with its read thread (the default) and --no-threads', () => {
  it('prints what one thread prints, in every format, on every fixture capture', async () => {
    const captures = captureFiles('fixtures/captures');
    expect(captures.length).toBeGreaterThan(30);
    const started = readThreadsStarted;
    for (const capture of captures) {
      for (const format of [[], ['--json'], ['--jsonl']]) {
        const oneThread = await runCli(['analyze', capture, ...format, '--no-threads'], { env: THREADED });
        const threaded = await runCli(['analyze', capture, ...format], { env: THREADED });
        expect({ capture, format, ...threaded }).toEqual({ capture, format, ...oneThread });
      }
    }
    // every run but those with --no-threads took the read thread
    expect(readThreadsStarted - started).toBe(3 * captures.length);
  }, 300_000);

  it('draws the same progress bar, and reads captures under 32 MiB in one thread', async () => {
    const capture = 'fixtures/captures/public/heplify/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap';
    const env = { ...THREADED, SIPSCOPE_PROGRESS_MIN_BYTES: '1' };
    const started = readThreadsStarted;
    const threaded = await runCli(['analyze', capture], { interactive: true, env });
    expect(readThreadsStarted).toBe(started + 1);
    expect(threaded.err).toMatch(/analyze: \[#{30}\] 100% of/);
    expect(threaded).toEqual(await runCli(['analyze', capture, '--no-threads'], { interactive: true, env }));
    await runCli(['analyze', capture, '--json']);
    expect(readThreadsStarted).toBe(started + 1);
  });

  it('fails as one thread fails on an input that is no capture', async () => {
    const notCapture = join(tmpdir(), `sipscope-analyze-threads-${process.pid}.pcap`);
    writeFileSync(notCapture, 'not a capture at all\n');
    const threaded = await runCli(['analyze', notCapture, '--json'], { env: THREADED });
    expect(threaded.code).toBe(2);
    expect(threaded).toEqual(await runCli(['analyze', notCapture, '--json', '--no-threads'], { env: THREADED }));
  });
});

describe('calls with its read thread (the default) and --no-threads', () => {
  it('lists the same calls, and takes the thread for a large enough capture', async () => {
    const captures = captureFiles('fixtures/captures/recorded');
    expect(captures.length).toBeGreaterThan(3);
    const started = readThreadsStarted;
    for (const capture of captures) {
      const threaded = await runCli(['calls', capture], { env: THREADED });
      expect({ capture, ...threaded }).toEqual({ capture, ...(await runCli(['calls', capture, '--no-threads'], { env: THREADED })) });
    }
    expect(readThreadsStarted - started).toBe(captures.length);
  });
});
