/**
 * HEP mirror copies (src/analysis/mirror-copies.ts). fixtures/captures/recorded/hep{3,2}-kamailio.pcap hold every
 * SIP message twice: on the wire (port 35060) and as Kamailio siptrace's HEP copy (to port 9060; the ACK twice).
 * The analysis must equal what tshark sees on the wire (NAME.wire.expected.json, derived by
 * fixtures/expect/expected-from-tshark.sh with SIP decoded on port 35060; tshark 4.0 has no HEP dissector), with
 * the HEP copies set aside and none of them a retransmission; a real retransmission (the same wire frame again
 * 500 ms later, made with the capture writer, editcap and mergecap) must still be one, as tshark's sip.resend
 * says. test/analysis/mirror-copies.test.ts moves and repeats the capture's payloads for the other cases.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/types.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { DecodeStats, SipPayload } from '../../src/capture/types.js';
import { extractPackets } from '../../src/capture/writer.js';
import { RECORDED_DIR, type TsharkExpected } from './capture-helpers.js';

/** How record-hep-kamailio.sh has tshark read the wire copies. */
const WIRE_SIP = ['-d', 'udp.port==35060,sip'];
const work = mkdtempSync(join(tmpdir(), 'sipscope-hep-mirror-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The expectation derived from tshark as record-hep-kamailio.sh derives NAME.wire.expected.json. */
function wireExpectation(capture: string): TsharkExpected {
  const out = execFileSync('bash', ['fixtures/expect/expected-from-tshark.sh', capture], {
    encoding: 'utf8',
    env: { ...process.env, TSHARK_ARGS: WIRE_SIP.join(' ') },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as TsharkExpected;
}

/** Frame numbers tshark shows for a display filter (SIP read on the wire port). */
function frames(capture: string, filter: string): number[] {
  const out = execFileSync('tshark', ['-r', capture, ...WIRE_SIP, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((line) => line.trim() !== '').map(Number);
}

interface Run {
  result: AnalysisResult;
  /** Frames whose message was analysed, and of them those analysed as retransmissions. */
  analysed: number[];
  retransmissions: number[];
  callIds: Set<string>;
}

/** The analysis of payloads as the analyzer sees them, one by one. */
function analyse(payloads: SipPayload[], decode?: DecodeStats): Run {
  const analysed: number[] = [];
  const retransmissions: number[] = [];
  const callIds = new Set<string>();
  const analyzer = new Analyzer({
    observer(message, retransmission) {
      analysed.push(message.packetNumber);
      if (retransmission) retransmissions.push(message.packetNumber);
      callIds.add(message.fields.callId);
    },
  });
  for (const payload of payloads) analyzer.add(payload);
  return { result: analyzer.finish(decode), analysed, retransmissions, callIds };
}

async function decoded(capture: string): Promise<{ payloads: SipPayload[]; stats: DecodeStats }> {
  const payloads: SipPayload[] = [];
  const stats = await decodeCaptures([capture], { payload: (payload) => payloads.push(payload) });
  return { payloads, stats };
}

async function analyseCapture(capture: string): Promise<Run> {
  const { payloads, stats } = await decoded(capture);
  return analyse(payloads, stats);
}

/** Summary counts, Call-IDs and retransmissions against tshark's view of the wire. */
function expectWire(run: Run, expected: TsharkExpected): void {
  expect(run.result.summary.sipMessages).toBe(expected.sipMessages);
  expect(run.result.summary.requests).toEqual(expected.requests);
  expect(run.result.summary.responses).toEqual(expected.responses);
  expect([...run.callIds].sort()).toEqual(expected.callIds);
  expect(run.result.summary.decodeErrors).toBe(0);
}

describe('HEP mirror copies in a capture of the wire and of siptrace (recorded from Kamailio)', () => {
  for (const version of [3, 2]) {
    const capture = join(RECORDED_DIR, `hep${version}-kamailio.pcap`);

    it(`hep${version}: the analysis equals tshark's wire expectation; the HEP copies are set aside, none a retransmission`, async () => {
      const expected = wireExpectation(capture);
      // the stored expectation is tshark's, re-derived the same way
      expect(expected).toEqual(JSON.parse(readFileSync(`${capture}.wire.expected.json`, 'utf8')));
      const run = await analyseCapture(capture);
      expectWire(run, expected);
      expect(run.retransmissions).toEqual([]);
      // what was analysed is exactly the wire copies; every HEP datagram is a copy set aside
      expect(run.analysed).toEqual(frames(capture, 'sip && udp.port==35060'));
      const hepDatagrams = frames(capture, 'udp.dstport==9060');
      expect(run.result.summary.mirrorCopies).toBe(hepDatagrams.length);
      expect(run.result.summary.packets).toBe(expected.sipMessages + hepDatagrams.length);
      // a call's packets still name the frames of its HEP copies (they carry its messages)
      const [call] = run.result.calls;
      const callFrames = frames(capture, `sip.Call-ID == "${call.callId}" || (udp.dstport==9060 && frame contains "${call.callId}")`);
      expect(call.packets).toEqual(callFrames);
    });

    it(`hep${version}: the HEP copies alone (a collector's capture) are the same messages: the ACK traced twice is one`, async () => {
      const hepOnly = join(work, `hep${version}-only.pcap`);
      await extractPackets([capture], new Set(frames(capture, 'udp.dstport==9060')), hepOnly);
      const run = await analyseCapture(hepOnly);
      expectWire(run, wireExpectation(capture));
      expect(run.retransmissions).toEqual([]);
      expect(run.result.summary.mirrorCopies).toBe(1);
    });

    it(`hep${version}: the wire copies alone are analysed as before, nothing set aside`, async () => {
      const wireOnly = join(work, `hep${version}-wire.pcap`);
      await extractPackets([capture], new Set(frames(capture, 'udp.port==35060 && udp.dstport!=9060')), wireOnly);
      const run = await analyseCapture(wireOnly);
      expectWire(run, wireExpectation(wireOnly));
      expect(run.result.summary.mirrorCopies).toBe(0);
    });

    it(`hep${version}: the INVITE sent again on the wire 500 ms later is a retransmission, as tshark's sip.resend says`, async () => {
      const [invite] = frames(capture, 'sip.Method == "INVITE" && udp.port==35060');
      const single = join(work, `hep${version}-invite.pcap`);
      const later = join(work, `hep${version}-invite-later.pcap`);
      const merged = join(work, `hep${version}-retransmitted.pcap`);
      await extractPackets([capture], new Set([invite]), single);
      execFileSync('editcap', ['-t', '0.5', single, later], { stdio: 'ignore' });
      execFileSync('mergecap', ['-F', 'pcap', '-w', merged, capture, later], { stdio: 'ignore' });
      const expected = wireExpectation(merged);
      expect(expected.requests.INVITE).toBe(2);
      const resent = frames(merged, 'sip.resend == 1 && udp.port==35060');
      expect(resent).toHaveLength(1);
      const run = await analyseCapture(merged);
      expectWire(run, expected);
      expect(run.retransmissions).toEqual(resent);
      expect(run.result.summary.mirrorCopies).toBe(frames(merged, 'udp.dstport==9060').length);
    });
  }
});
