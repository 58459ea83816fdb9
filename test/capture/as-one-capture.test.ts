/**
 * Several capture files read as one capture (`asOneCapture`, what analyze, calls and flow do): packet numbers
 * count across the files in capture-time order, and IP fragments and TCP streams continue from file to file.
 * The expectation is independent of sipscope: the same files merged by `mergecap` and dissected by tshark, whose
 * frames and Call-IDs must be ours; and a capture cut into a ring of files must analyse as the whole does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import { readCallId } from '../../src/sip/framing.js';
import { tsharkArgs, tsharkFields } from '../analysis/capture-helpers.js';
import { dealFrames, ringOf } from './split-captures.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-merged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** (frame, Call-ID) of every SIP message, as tshark reads `mergecap -w merged FILE...`. */
function tsharkOfMerged(parts: string[], name: string): string[] {
  const merged = join(work, `${name}-merged.pcapng`);
  execFileSync('mergecap', ['-w', merged, ...parts]);
  const output = execFileSync('tshark', ['-r', merged, ...tsharkArgs(name), '-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // a frame with several messages lists their Call-IDs with commas: one row per message, as ours
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      const [frame, callIds] = line.split('\t');
      return callIds.split(',').map((callId) => `${frame} ${callId}`);
    });
}

async function oursMerged(parts: string[]): Promise<string[]> {
  const rows: string[] = [];
  await decodeCaptures(
    parts,
    { payload: (payload) => rows.push(`${payload.packetNumber} ${readCallId(payload.bytes) ?? ''}`) },
    { asOneCapture: true },
  );
  return rows;
}

describe('several files read as one capture', () => {
  for (const [capture, block] of [
    ['fixtures/captures/recorded/revocation-udp.pcap', 7],
    ['fixtures/captures/recorded/udp-nanosecond.pcap', 3],
    // TCP segments of one message and IP fragments of one datagram land in different files
    ['fixtures/captures/recorded/revocation-tcp.pcap', 5],
    ['fixtures/captures/recorded/frag-udp.pcap', 1],
    // SIP messages split across TCP segments (port 6060)
    ['fixtures/captures/public/heplify/sip_ipv4_tcp_fragmented.pcap', 4],
  ] as const) {
    it(`${capture} dealt to 3 files in blocks of ${block}: frames and Call-IDs of mergecap + tshark`, async () => {
      const name = capture.split('/').pop()!;
      const parts = dealFrames(capture, block, 3, work, name);
      const expected = tsharkOfMerged(parts, name);
      expect(expected.length).toBeGreaterThan(10);
      expect(await oursMerged(parts)).toEqual(expected);
    });
  }

  it('without the option each file keeps its own numbers', async () => {
    const capture = 'fixtures/captures/recorded/revocation-udp.pcap';
    const parts = dealFrames(capture, 50, 2, work, 'own');
    const numbers: number[] = [];
    await decodeCaptures(parts, { payload: (payload) => numbers.push(payload.packetNumber) });
    const own = parts.map((part) => tsharkFields(part, 'sip', ['frame.number']).map(([frame]) => Number(frame)));
    expect([...numbers].sort((a, b) => a - b)).toEqual(own.flat().sort((a, b) => a - b));
  });

  for (const capture of ['fixtures/captures/recorded/revocation-udp.pcap', 'fixtures/captures/recorded/revocation-tcp.pcap']) {
    it(`${capture} cut into a ring of files (editcap -c) analyses as the whole capture does`, async () => {
      const name = `ring-${capture.split('/').pop()!.replace('.pcap', '')}`;
      const ring = ringOf(capture, 45, work, name);
      expect(ring.length).toBeGreaterThan(2);
      const whole = await analyzeCaptures([capture]);
      const parts = await analyzeCaptures(ring);
      expect(whole.findings.some((finding) => finding.kind === 'reinvite-forbidden')).toBe(true);
      expect(parts.calls).toEqual(whole.calls);
      expect(parts.findings).toEqual(whole.findings);
      expect(parts.revocations).toEqual(whole.revocations);
      expect(parts.durations).toEqual(whole.durations);
      expect(parts.summary).toEqual({ ...whole.summary, files: ring.length });
    });
  }
});
