/**
 * The threaded reading (src/analysis/read-thread/: decoding and the plain scan on a second thread) must give the
 * analysis exactly what the one-thread path gives: on every fixture capture (damaged ones too), the same payloads
 * (every field the decoder sets, but the opening and lead-in frames the threaded path leaves out), issues and
 * progress reports in the same order, the same statistics or the same error; and the same analysis result. Also
 * with tiny batches (3 messages, 1 KiB of bytes), which split every capture into many batches and give messages
 * larger than a batch a buffer of their own, and a string table of 2 (it starts anew all the time). The read thread
 * runs from the build (dist/), as the CLI runs it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { readPlainMessage, readScannedMessage } from '../../src/analysis/plain-message.js';
import type { MessageReading } from '../../src/analysis/observed.js';
import { decodeOnReadThread, readThreadPays, type ReadThreadOptions } from '../../src/analysis/read-thread/read-thread.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';

const workerUrl = new URL('../../dist/analysis/read-thread/worker.js', import.meta.url);

function captureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(pcap|pcapng)(\.gz)?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A payload as data: every field but the stream's opening and lead-in frames; the bytes as hex. */
function payloadEvent(payload: SipPayload) {
  const { opening: _opening, leadIn: _leadIn, bytes, ...rest } = payload;
  return { payload: { ...rest, keys: Object.keys(payload), bytes: Buffer.from(bytes).toString('hex') } };
}

type Event = ReturnType<typeof payloadEvent> | { issue: DecodeIssue } | { progress: [number, number | undefined] };

async function oneThreadEvents(inputs: string[]): Promise<{ events: Event[]; end: unknown }> {
  const events: Event[] = [];
  try {
    const stats = await decodeCaptures(
      inputs,
      { payload: (payload) => events.push(payloadEvent(payload)), issue: (issue) => events.push({ issue }), progress: (read, total) => events.push({ progress: [read, total] }) },
      { asOneCapture: true },
    );
    return { events, end: { stats } };
  } catch (error) {
    return { events, end: { error: errorData(error) } };
  }
}

/** What a reading says: its start line and every field (the plain reading makes them when read). */
function readingOf(reading: MessageReading | undefined) {
  if (reading === undefined) return undefined;
  const f = reading.fields;
  const head = reading.kind === 'request' ? { method: reading.method } : { status: reading.status, reason: reading.reason };
  return {
    kind: reading.kind,
    ...head,
    firstLine: reading.firstLine,
    startLineHash: reading.startLineHash,
    fields: [f.callId, f.cseqNumber, f.cseqMethod, f.fromTag, f.toTag, f.fromUri, f.toUri, f.viaBranch, f.viaSentBy, f.credential, f.staleChallenge, f.viaBranchHash, f.toTagHash, f.branchKeyed, f.inDialog, f.hasFromTag],
  };
}

async function readThreadEvents(inputs: string[], options: ReadThreadOptions): Promise<{ events: Event[]; end: unknown; readings: number }> {
  const events: Event[] = [];
  let readings = 0;
  try {
    const stats = await decodeOnReadThread(
      inputs,
      {
        payload: (payload, scans, at) => {
          events.push(payloadEvent(payload));
          // the scan made on the read thread gives the reading this thread's scan gives
          expect(readingOf(readScannedMessage(payload.bytes, scans, at))).toEqual(readingOf(readPlainMessage(payload.bytes)));
          readings++;
        },
        issue: (issue) => events.push({ issue }),
        progress: (read, total) => events.push({ progress: [read, total] }),
      },
      { asOneCapture: true, workerUrl, ...options },
    );
    return { events, end: { stats }, readings };
  } catch (error) {
    return { events, end: { error: errorData(error) }, readings };
  }
}

function errorData(error: unknown): unknown {
  const { name, message, code, file, inputs } = error as { name: string; message: string; code?: string; file?: string; inputs?: unknown[] };
  const { inputs: _inputs, ...fields } = error as Record<string, unknown>;
  return { name, message, code, file, constructor: (error as object).constructor.name, inputs: inputs?.map(errorData), fields };
}

const CAPTURES = captureFiles('fixtures/captures');
// tiny batches, and a string table (files, addresses) that starts anew after every batch or two
const TINY = { batchMessages: 3, batchBytes: 1024, maxStrings: 2 };

describe('the threaded reading', () => {
  it('finds fixture captures to compare', () => {
    expect(CAPTURES.length).toBeGreaterThan(30);
  });

  for (const [name, options] of [['batches as the CLI makes them', {}], ['tiny batches', TINY]] as const) {
    it(`gives the decoder's payloads, issues, progress and statistics on every fixture capture (${name})`, async () => {
      let messages = 0;
      for (const capture of CAPTURES) {
        const expected = await oneThreadEvents([capture]);
        const threaded = await readThreadEvents([capture], options);
        expect({ capture, events: threaded.events, end: threaded.end }).toEqual({ capture, events: expected.events, end: expected.end });
        messages += threaded.readings;
      }
      expect(messages).toBeGreaterThan(1000);
    }, 180_000);
  }

  it('reads several files as one capture, as the decoder merges them', async () => {
    const inputs = CAPTURES.filter((capture) => capture.endsWith('.pcap')).slice(0, 4);
    const expected = await oneThreadEvents(inputs);
    expect((await readThreadEvents(inputs, TINY)).events).toEqual(expected.events);
  });

  it('rejects with the error the decoder throws for an input that is no capture', async () => {
    const notCapture = join(tmpdir(), `sipscope-read-thread-${process.pid}.txt`);
    writeFileSync(notCapture, 'this is not a capture\n');
    const expected = await oneThreadEvents([notCapture]);
    expect(expected.end).toHaveProperty('error.code', 'unrecognised-format');
    expect(await readThreadEvents([notCapture], {})).toMatchObject({ events: expected.events, end: expected.end });
    // none of several inputs readable: one error holding each input's
    const inputs = [notCapture, join(tmpdir(), 'no-such-capture.pcap')];
    const none = await oneThreadEvents(inputs);
    expect(none.end).toHaveProperty('error.code', 'no-usable-input');
    expect(await readThreadEvents(inputs, {})).toMatchObject({ events: none.events, end: none.end });
  });

  it('gives the analysis the same result on every fixture capture (tiny batches)', async () => {
    for (const capture of CAPTURES) {
      const oneThread: DecodeIssue[] = [];
      const threaded: DecodeIssue[] = [];
      const expected = await analyzeCaptures([capture], { decodeIssue: (issue) => oneThread.push(issue) }).catch((error: unknown) => errorData(error));
      const result = await analyzeCaptures([capture], { decodeIssue: (issue) => threaded.push(issue), readThread: { workerUrl, ...TINY } }).catch((error: unknown) => errorData(error));
      expect({ capture, result, issues: threaded }).toEqual({ capture, result: expected, issues: oneThread });
    }
  }, 180_000);

  it('is chosen only for regular files of READ_THREAD_MIN_BYTES or more in all', () => {
    const capture = CAPTURES[0];
    expect(readThreadPays([capture], 1)).toBe(true);
    expect(readThreadPays([capture])).toBe(false);
    expect(readThreadPays(['-'], 0)).toBe(false);
    expect(readThreadPays([capture, '-'], 0)).toBe(false);
    expect(readThreadPays(['fixtures/captures'], 0)).toBe(false);
    expect(readThreadPays([join(tmpdir(), 'no-such-capture.pcap')], 0)).toBe(false);
    expect(readThreadPays([], 0)).toBe(false);
  });
});
