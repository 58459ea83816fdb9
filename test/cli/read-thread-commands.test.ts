/**
 * flow with its read thread (the default, `--threads`: decoding and the plain scan on a second thread,
 * src/analysis/read-thread/) prints exactly what it prints with `--no-threads` in one thread, on every fixture capture
 * (damaged ones too): stdout, stderr and exit code. Its hooks (the observer drawing the ladder, the mirror copies)
 * then see the payloads the read thread made. SIPSCOPE_READ_THREAD_MIN_BYTES=0 makes the small fixtures large enough
 * for the thread; the test checks that the thread was started. report, extract and analyze --dataset read in one
 * thread (analysis-run.ts THREADS_OPTION says why).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readThreadsStarted } from '../../src/analysis/read-thread/read-thread.js';
import { runCli } from './analysis-cli-helpers.js';

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

describe('the commands that read in one thread whatever the size', () => {
  it('report, extract and analyze --dataset start no read thread', async () => {
    const capture = 'fixtures/captures/recorded/revocation-tcp.pcap';
    const callId = someOf(tsharkCallIds(capture))[0];
    const started = readThreadsStarted;
    const runs = [
      await runCli(['report', capture, '-o', join(scratch, 'report.html')], { env: THREADED }),
      await runCli(['extract', capture, '--call-id', callId, '-o', join(scratch, 'call.pcap')], { env: THREADED }),
      await runCli(['analyze', capture, '--json', '--dataset', join(scratch, 'dataset')], { env: THREADED }),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 0, 1]);
    expect(readThreadsStarted).toBe(started);
  });
});
