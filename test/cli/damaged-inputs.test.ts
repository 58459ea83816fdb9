/**
 * decode and analyze on the damaged captures of fixtures/captures/damaged/ (made by make-damaged.mjs): what a user sees
 * of the damage (the issue, its packet and byte offset) and that the rest is read as tshark reads it. Expectations come
 * from tshark (frames, Call-IDs, times, its expert messages), from the edit itself (which record was damaged) and, for
 * the analysis, from trouble-udp.pcap.analysis.expected.json, which analysis-from-tshark.py derived from tshark.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isoFromEpoch, tsharkFields } from '../analysis/capture-helpers.js';
import { pcapngPacketOffsets, pcapRecordOffsets } from '../capture/damage-edits.mjs';
import { runCli } from './analysis-cli-helpers.js';

const DAMAGED = 'fixtures/captures/damaged';

interface DecodedRow {
  packetNumber: number;
  time: string;
  callId?: string;
  firstLine: string;
}

const issueLines = (err: string) => err.split('\n').filter(Boolean);

describe('decode of a capture with one corrupt record timestamp', () => {
  for (const [name, direction] of [['pcap-record-5-seconds-flipped-future.pcap', 'after'], ['pcap-record-5-seconds-flipped-past.pcap', 'before']] as const) {
    it(`${name}: every packet as tshark numbers it, the timestamp reported at packet 5 and its record's offset, packet 5 at packet 4's time`, async () => {
      const capture = `${DAMAGED}/${name}`;
      const tshark = tsharkFields(capture, 'frame', ['frame.number', 'frame.time_epoch', 'sip.Call-ID']);
      const run = await runCli(['decode', capture, '--json']);
      const rows = run.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as DecodedRow);
      expect(rows.map((row) => [row.packetNumber, row.callId])).toEqual(tshark.map(([frame, , callId]) => [Number(frame), callId]));
      expect(rows.map((row) => row.time)).toEqual(tshark.map((_, index) => isoFromEpoch(tshark[index === 4 ? 3 : index][1])));
      const offset = pcapRecordOffsets(readFileSync(capture))[4];
      const issues = issueLines(run.err);
      expect(issues).toHaveLength(1);
      expect(issues[0].startsWith(`sipscope decode: ${capture}, packet 5, offset ${offset}: bad-timestamp: pcap record timestamp ${isoFromEpoch(tshark[4][1])} is `)).toBe(true);
      expect(issues[0]).toMatch(new RegExp(` is [\\d.]+ days ${direction} the packets before and after it \\(its lengths and the record after it are right\\): a corrupt timestamp; read at the time of the packet before it$`));
    });
  }
});

describe('decode of a pcapng with one corrupt packet block timestamp', () => {
  it('ipv6-block-5-time-high-flipped.pcapng: every packet as tshark numbers it, the timestamp reported at packet 5 and its block\'s offset, packet 5 at packet 4\'s time', async () => {
    const capture = `${DAMAGED}/ipv6-block-5-time-high-flipped.pcapng`;
    const frames = tsharkFields(capture, 'frame', ['frame.number', 'frame.time_epoch']);
    const sip = tsharkFields(capture, 'frame', ['frame.number', 'sip.Call-ID']).filter(([, callId]) => callId);
    const run = await runCli(['decode', capture, '--json']);
    const rows = run.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as DecodedRow);
    expect(rows.map((row) => [row.packetNumber, row.callId])).toEqual(sip.map(([frame, callId]) => [Number(frame), callId]));
    expect(rows.map((row) => row.time)).toEqual(rows.map((row) => isoFromEpoch(frames[row.packetNumber === 5 ? 3 : row.packetNumber - 1][1])));
    const offset = pcapngPacketOffsets(readFileSync(capture))[4];
    expect(issueLines(run.err)).toEqual([
      `sipscope decode: ${capture}, packet 5, offset ${offset}: bad-timestamp: pcapng enhanced packet block timestamp ${isoFromEpoch(frames[4][1])} is ${((Number(frames[4][1]) - Number(frames[3][1])) / 86400).toFixed(1)} days after the packets before and after it (its block lengths agree and a packet block follows it): a corrupt timestamp; read at the time of the packet before it`,
    ]);
  });
});

describe('analyze is not thrown by one packet 68 years late', () => {
  it('trouble-udp-record-82-seconds-flipped.pcap: the calls and findings of the undamaged capture\'s tshark-derived expectation; the damage reported at packet 82', async () => {
    const capture = `${DAMAGED}/trouble-udp-record-82-seconds-flipped.pcap`;
    const expected = JSON.parse(readFileSync('fixtures/captures/recorded/trouble-udp.pcap.analysis.expected.json', 'utf8')) as {
      calls: Array<{ callId: string; start: string; end?: string; durationMs?: number; state: string; packets: number[] }>;
      findings: Array<{ kind: string; callId?: string; time: string; packets: number[] }>;
    };
    const run = await runCli(['analyze', capture, '--json', '--fail-on', 'info']);
    const doc = JSON.parse(run.out) as { summary: { decodeErrors: number }; calls: typeof expected.calls; findings: typeof expected.findings };
    const byCallId = (a: { callId?: string }, b: { callId?: string }) => (a.callId ?? '').localeCompare(b.callId ?? '');
    const callFields = ({ callId, start, end, durationMs, state, packets }: (typeof expected.calls)[number]) => ({ callId, start, end: end ?? null, durationMs: durationMs ?? null, state, packets });
    expect(doc.calls.map(callFields).sort(byCallId)).toEqual(expected.calls.map(callFields).sort(byCallId));
    const findingFields = ({ kind, callId, time, packets }: (typeof expected.findings)[number]) => ({ kind, callId, time, packets });
    const byTime = (a: { time: string; kind: string }, b: { time: string; kind: string }) => a.time.localeCompare(b.time) || a.kind.localeCompare(b.kind);
    expect(doc.findings.map(findingFields).sort(byTime)).toEqual(expected.findings.map(findingFields).sort(byTime));
    // the capture ends at its last frame's time (tshark's), not 68 years on: what the findings count up to it
    const lastFrameUs = Math.round(Number(tsharkFields(capture, 'frame', ['frame.time_epoch']).at(-1)![0]) * 1e6);
    const untilEnd = (doc.findings as Array<{ kind: string; time: string; message: string }>).filter((finding) => /capture (went on|ended)/.test(finding.message));
    expect(untilEnd.map((finding) => finding.kind).sort()).toEqual(['no-ack', 'orphan-call', 'orphan-call']);
    for (const finding of untilEnd) {
      const [whole, micros = ''] = finding.time.replace(/Z$/, '').split('.');
      const seconds = ((lastFrameUs - (Date.parse(`${whole}Z`) * 1000 + Number(micros.padEnd(6, '0')))) / 1e6).toFixed(3);
      expect(finding.message).toMatch(new RegExp(`\\b${seconds.replace('.', '\\.')} s\\b`));
    }
    expect(doc.summary.decodeErrors).toBe(1);
    const offset = pcapRecordOffsets(readFileSync(capture))[81];
    expect(run.err).toContain(`sipscope analyze: ${capture}, packet 82, offset ${offset}: bad-timestamp: `);
  });
});

describe('decode of SIP datagrams that are not whole', () => {
  it('udp-header-end-lost.pcap: the REGISTER without its blank line shown as tshark shows it, reported once at the packet tshark flags', async () => {
    const capture = `${DAMAGED}/udp-header-end-lost.pcap`;
    const tshark = tsharkFields(capture, 'frame', ['frame.number', 'sip.Call-ID', '_ws.expert.message']);
    // tshark: "Header not terminated by empty line (CRLF)" on the cut frame, its Call-ID read
    const flagged = tshark.filter(([, , expert]) => /Header not terminated by empty line/.test(expert));
    expect(flagged).toHaveLength(1);
    const run = await runCli(['decode', capture, '--json']);
    const rows = run.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as DecodedRow);
    expect(rows.map((row) => [row.packetNumber, row.callId])).toEqual(tshark.map(([frame, callId]) => [Number(frame), callId]));
    const packet = Number(flagged[0][0]);
    const offset = pcapRecordOffsets(readFileSync(capture))[packet - 1];
    expect(issueLines(run.err)).toEqual([
      `sipscope decode: ${capture}, packet ${packet}, offset ${offset}: sip-no-header-end: SIP datagram whose header fields are not ended by a blank line (RFC 3261 §7), cut short or sent so; read as it is`,
    ]);
  });

  it('udp-bare-cr.pcap: the INVITE whose lines end with a bare CR shown with its start line (tshark reads its fields too), reported at its packet', async () => {
    const capture = `${DAMAGED}/udp-bare-cr.pcap`;
    const tshark = tsharkFields(capture, 'frame', ['frame.number', 'sip.Request-Line', 'sip.Status-Line', 'sip.Call-ID']);
    const run = await runCli(['decode', capture, '--json']);
    const rows = run.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as DecodedRow);
    // every frame shown, with tshark's start line; the bare-CR one (record 14, the edit) without its Call-ID
    expect(rows.map((row) => [row.packetNumber, row.firstLine])).toEqual(tshark.map(([frame, request, status]) => [Number(frame), request || status]));
    expect(rows.filter((row) => row.packetNumber !== 14).map((row) => row.callId)).toEqual(tshark.filter(([frame]) => frame !== '14').map(([, , , callId]) => callId));
    expect(tshark[13][3]).not.toBe('');
    const offset = pcapRecordOffsets(readFileSync(capture))[13];
    expect(issueLines(run.err)).toEqual([
      `sipscope decode: ${capture}, packet 14, offset ${offset}: sip-bare-cr: SIP datagram whose lines end with a bare CR, not CRLF (RFC 3261 §7); shown with its start line, its header fields not read`,
    ]);
  });
});

describe('analyze counts what it could not show', () => {
  it('decode errors and messages the analysis could not use are counted apart, each with how many were shown', async () => {
    // the capture's one bare-CR INVITE (tshark: frame 14) is a decode issue (sip-bare-cr) and a message the analysis
    // cannot parse (unparsable-message); seven copies of the file give seven of each, five of each shown
    const capture = `${DAMAGED}/udp-bare-cr.pcap`;
    const run = await runCli(['analyze', ...Array<string>(7).fill(capture), '--json']);
    const lines = issueLines(run.err);
    expect(lines.filter((line) => line.includes(': sip-bare-cr: '))).toHaveLength(5);
    expect(lines.filter((line) => line.includes(': unparsable-message: '))).toHaveLength(5);
    expect(lines).toContain('sipscope analyze: 7 decode errors in all; first 5 shown (sipscope decode lists them)');
    expect(lines).toContain('sipscope analyze: 7 messages could not be analysed in all; first 5 shown');
    expect(JSON.parse(run.out).summary.decodeErrors).toBe(14);
  });
});
