/**
 * Several capture files read together: with `mergedPacketNumbers` (what analyze, calls and flow use), packet
 * numbers count across the files in capture-time order. The expectation is independent of sipscope: the same
 * files merged by `mergecap` and dissected by tshark, whose frame numbers must be ours.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import { readCallId } from '../../src/sip/framing.js';
import { MergedNumbering } from '../../src/capture/merged-numbering.js';
import { tsharkFields } from '../analysis/capture-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-merged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Frames of `capture` in blocks of `block` dealt to `files` files in turn (editcap -r keeps the listed frames). */
function dealFrames(capture: string, frames: number, block: number, files: number, name: string): string[] {
  const ranges: string[][] = Array.from({ length: files }, () => []);
  for (let first = 1, turn = 0; first <= frames; first += block, turn = (turn + 1) % files) {
    ranges[turn].push(`${first}-${Math.min(frames, first + block - 1)}`);
  }
  return ranges.map((list, index) => {
    const out = join(work, `${name}-${index}.pcap`);
    execFileSync('editcap', ['-r', capture, out, ...list]);
    return out;
  });
}

function frameCount(capture: string): number {
  return tsharkFields(capture, 'frame', ['frame.number']).length;
}

/** (frame, Call-ID) of every SIP message, as tshark reads `mergecap -w merged FILE...`. */
function tsharkOfMerged(parts: string[], name: string): string[] {
  const merged = join(work, `${name}-merged.pcapng`);
  execFileSync('mergecap', ['-w', merged, ...parts]);
  return tsharkFields(merged, 'sip', ['frame.number', 'sip.Call-ID']).map(([frame, callId]) => `${frame} ${callId}`);
}

async function oursMerged(parts: string[]): Promise<string[]> {
  const rows: string[] = [];
  await decodeCaptures(
    parts,
    { payload: (payload) => rows.push(`${payload.packetNumber} ${readCallId(payload.bytes) ?? ''}`) },
    { mergedPacketNumbers: true },
  );
  return rows;
}

describe('packet numbers across several files', () => {
  for (const [capture, block] of [
    ['fixtures/captures/recorded/revocation-udp.pcap', 7],
    ['fixtures/captures/recorded/udp-nanosecond.pcap', 3],
  ] as const) {
    it(`${capture} dealt to 3 files in blocks of ${block}: frame numbers of mergecap + tshark`, async () => {
      const name = capture.split('/').pop()!;
      const parts = dealFrames(capture, frameCount(capture), block, 3, name);
      const expected = tsharkOfMerged(parts, name);
      expect(expected.length).toBeGreaterThan(10);
      expect(await oursMerged(parts)).toEqual(expected);
    });
  }

  it('without the option each file keeps its own numbers', async () => {
    const capture = 'fixtures/captures/recorded/revocation-udp.pcap';
    const parts = dealFrames(capture, frameCount(capture), 50, 2, 'own');
    const numbers: number[] = [];
    await decodeCaptures(parts, { payload: (payload) => numbers.push(payload.packetNumber) });
    const own = parts.map((part) => tsharkFields(part, 'sip', ['frame.number']).map(([frame]) => Number(frame)));
    expect([...numbers].sort((a, b) => a - b)).toEqual(own.flat().sort((a, b) => a - b));
  });

  it('a ring of files (editcap -c) analyses as the whole capture does', async () => {
    const capture = 'fixtures/captures/recorded/revocation-udp.pcap';
    execFileSync('editcap', ['-c', '60', capture, join(work, 'ring.pcap')]);
    const ring = readdirSync(work)
      .filter((entry) => entry.startsWith('ring_'))
      .sort()
      .map((entry) => join(work, entry));
    expect(ring.length).toBeGreaterThan(2);
    const whole = await analyzeCaptures([capture]);
    const parts = await analyzeCaptures(ring);
    expect(parts.calls).toEqual(whole.calls);
    expect(parts.findings).toEqual(whole.findings);
    expect(parts.revocations).toEqual(whole.revocations);
    expect(parts.durations).toEqual(whole.durations);
    expect(parts.summary).toEqual({ ...whole.summary, files: ring.length });
  });
});

describe('MergedNumbering', () => {
  it('maps runs of each file to the merged order, and leaves unknown numbers alone', () => {
    const numbering = new MergedNumbering(2);
    // merged order: a1 a2 b1 a3 b2 b3 b4 a4
    const order: Array<[number, number]> = [[0, 1], [0, 2], [1, 1], [0, 3], [1, 2], [1, 3], [1, 4], [0, 4]];
    order.forEach(([file, own], index) => numbering.record(file, own, index + 1));
    expect([1, 2, 3, 4].map((own) => numbering.merged(0, own))).toEqual([1, 2, 4, 8]);
    expect([1, 2, 3, 4].map((own) => numbering.merged(1, own))).toEqual([3, 5, 6, 7]);
    expect(numbering.merged(0, 9)).toBe(9);
  });
});
