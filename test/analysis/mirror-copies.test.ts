/**
 * The HEP mirror copy rule (src/analysis/mirror-copies.ts) on the real decoded payloads of
 * fixtures/captures/recorded/hep3-kamailio.pcap (each message on the wire and as Kamailio siptrace's HEP copy, the
 * ACK copied twice), reordered, repeated and moved in time: a HEP copy first, a second agent, retransmissions on the
 * wire and in HEP, another hop, a copy out of the window. The capture against tshark: hep-mirror.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/types.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import { RECORDED_DIR } from './capture-helpers.js';

interface Run {
  result: AnalysisResult;
  /** Packets whose message was analysed, and of them those analysed as retransmissions. */
  analysed: number[];
  retransmissions: number[];
}

function analyse(payloads: SipPayload[]): Run {
  const analysed: number[] = [];
  const retransmissions: number[] = [];
  const analyzer = new Analyzer({
    observer(message, retransmission) {
      analysed.push(message.packetNumber);
      if (retransmission) retransmissions.push(message.packetNumber);
    },
  });
  for (const payload of payloads) analyzer.add(payload);
  return { result: analyzer.finish(), analysed, retransmissions };
}

/** A copy of a payload at another time and packet number (a later sighting of the same bytes). */
function again(payload: SipPayload, packetNumber: number, shiftUs: number): SipPayload {
  return { ...payload, packetNumber, packets: [packetNumber], timeUs: payload.timeUs + shiftUs };
}

/** `list` with each extra payload placed after the last one of its time or sooner, as a capture would have it. */
function inserted(list: SipPayload[], ...extras: SipPayload[]): SipPayload[] {
  const result = [...list];
  for (const extra of extras) {
    const after = result.findLastIndex((payload) => payload.timeUs <= extra.timeUs);
    result.splice(after + 1, 0, extra);
  }
  return result;
}

const payloads: SipPayload[] = [];
await decodeCaptures([join(RECORDED_DIR, 'hep3-kamailio.pcap')], { payload: (payload) => payloads.push(payload) });

describe('HEP mirror copies: the rule on the real payloads of hep3-kamailio.pcap, moved and repeated', () => {
  const wire = payloads.filter((payload) => !payload.hep);
  const hep = payloads.filter((payload) => payload.hep);
  const inviteOf = (list: SipPayload[]) => list.find((payload) => Buffer.from(payload.bytes).toString('latin1').startsWith('INVITE '))!;
  const requestsOf = (run: Run) => run.result.summary.requests;

  it('a HEP copy that comes before its wire message: the first is analysed, the wire one set aside', () => {
    const hepInvite = inviteOf(hep);
    const order = payloads.filter((payload) => payload !== hepInvite);
    order.splice(order.indexOf(inviteOf(wire)), 0, hepInvite);
    const run = analyse(order);
    expect(run.result.summary.sipMessages).toBe(wire.length);
    expect(run.result.summary.mirrorCopies).toBe(hep.length);
    expect(run.analysed).toContain(hepInvite.packetNumber);
    expect(run.analysed).not.toContain(inviteOf(wire).packetNumber);
    expect(run.retransmissions).toEqual([]);
  });

  it('two agents mirroring the same messages: every second HEP copy is set aside too', () => {
    const twice = payloads.flatMap((payload) => (payload.hep ? [payload, again(payload, payload.packetNumber + 1000, 300)] : [payload]));
    const run = analyse(twice);
    expect(run.result.summary.sipMessages).toBe(wire.length);
    expect(run.result.summary.mirrorCopies).toBe(2 * hep.length);
    expect(run.retransmissions).toEqual([]);
  });

  it('a retransmission 500 ms later, on the wire and in HEP: one retransmission, its HEP copy set aside', () => {
    const run = analyse(inserted(payloads, again(inviteOf(wire), 100, 500_000), again(inviteOf(hep), 101, 500_000)));
    expect(requestsOf(run).INVITE).toBe(2);
    expect(run.retransmissions).toEqual([100]);
    expect(run.result.summary.mirrorCopies).toBe(hep.length + 1);
  });

  it('only HEP: the copy of a retransmission 500 ms later is a retransmission; two wire sightings are never merged', () => {
    const hepRun = analyse(inserted(hep, again(inviteOf(hep), 100, 500_000)));
    expect(requestsOf(hepRun).INVITE).toBe(2);
    expect(hepRun.retransmissions).toEqual([100]);
    // a wire retransmission sooner than the window (a T1 below 250 ms, RFC 3261 §17.1.1.2) is still one
    const wireRun = analyse(inserted(wire, again(inviteOf(wire), 100, 100_000)));
    expect(wireRun.retransmissions).toEqual([100]);
    expect(wireRun.result.summary.mirrorCopies).toBe(0);
  });

  it('a HEP copy between other addresses (another hop) or later than the window is not a copy', () => {
    const hepInvite = inviteOf(hep);
    const otherHop = { ...again(hepInvite, 100, 0), dst: { ip: '127.0.0.2', port: 5060 } };
    const tooLate = again(hepInvite, 101, 300_000);
    const run = analyse(inserted(payloads, otherHop, tooLate));
    expect(run.result.summary.mirrorCopies).toBe(hep.length);
    expect(requestsOf(run).INVITE).toBe(3);
    expect(run.analysed).toEqual(expect.arrayContaining([100, 101]));
  });
});
