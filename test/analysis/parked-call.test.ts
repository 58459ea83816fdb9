/**
 * The parked form of a held call (src/analysis/parked-call.ts) gives back exactly the state it was given: every
 * field, absent ones absent, times to the fraction of a microsecond (nanosecond captures), any text in tags and URIs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageRef, SessionRequest } from '../../src/analysis/dialogs.js';
import { parkState, unparkState, type ParkedState } from '../../src/analysis/parked-call.js';

const START_US = 1_767_287_887_418_991;
const time = fc.oneof(fc.integer({ min: 0, max: 7_200_000_000 }), fc.integer({ min: 0, max: 7_200_000_000_000 }).map((ns) => ns / 1000)).map((offset) => START_US + offset);
const packet = fc.integer({ min: 1, max: 50_000_000 });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const ref: fc.Arbitrary<MessageRef> = fc.record({ packetNumber: packet, timeUs: time, side: fc.constantFrom('caller' as const, 'callee' as const) });
const session: fc.Arbitrary<SessionRequest> = fc.record(
  {
    method: fc.constantFrom('INVITE' as const, 'UPDATE' as const),
    inDialog: fc.boolean(),
    confirmedDialog: fc.boolean(),
    fromTag: text,
    cseqNumber: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    request: ref,
    credential: fc.record({ username: text, realm: text }, { requiredKeys: ['username'] }),
    finalStatus: fc.integer({ min: 100, max: 699 }),
    finalTimeUs: time,
    finalPacket: packet,
    successTimeUs: time,
    successPacket: packet,
    forbiddenPackets: fc.array(packet, { maxLength: 4 }).map((packets) => packets.sort((a, b) => a - b)),
    forbiddenTimeUs: time,
    acked: fc.boolean(),
  },
  { requiredKeys: ['method', 'inDialog', 'confirmedDialog', 'cseqNumber', 'forbiddenPackets', 'acked'] },
);
const state: fc.Arbitrary<ParkedState> = fc.record(
  {
    from: text,
    to: text,
    callerTag: text,
    callerUser: text,
    startUs: fc.constant(START_US),
    startedBeforeCapture: fc.boolean(),
    sequence: fc.nat(),
    lastUs: time,
    ringing: fc.boolean(),
    answerUs: time,
    cancel: ref,
    bye: ref,
    reinvites: fc.nat(),
    packets: fc.array(packet, { maxLength: 60 }),
    packetsTruncated: fc.boolean(),
    awaitingTransactions: fc.nat({ max: 5 }),
    earlyTags: fc.array(text, { maxLength: 3 }),
    confirmedTags: fc.array(text, { maxLength: 3 }),
    sessions: fc.array(session, { maxLength: 5 }),
    firstCredential: fc.record({ username: text, realm: text }, { requiredKeys: ['username'] }),
  },
  { requiredKeys: ['from', 'to', 'startUs', 'startedBeforeCapture', 'sequence', 'lastUs', 'ringing', 'reinvites', 'packets', 'packetsTruncated', 'awaitingTransactions', 'earlyTags', 'confirmedTags', 'sessions'] },
);

/** Absent and undefined are the same to a call; the round trip writes every field. */
const withoutUndefined = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('parked call', () => {
  it('gives back the state it was given, field for field', () => {
    fc.assert(
      fc.property(state, fc.option(text, { nil: undefined }), (given, owner) => {
        const parked = parkState(given, owner);
        expect(parked.owner).toBe(owner);
        const back = unparkState(parked);
        expect(withoutUndefined(back)).toEqual(withoutUndefined(given));
        // times exactly, not to JSON's rounding of the absolute value
        expect(back.lastUs).toBe(given.lastUs);
        expect(back.sessions.map((one) => one.finalTimeUs)).toEqual(given.sessions.map((one) => one.finalTimeUs));
      }),
      { numRuns: 300 },
    );
  });

  it('is smaller than the objects it stands for: one string of a few hundred bytes for an answered call', () => {
    const call: ParkedState = {
      from: 'sip:79135045333@maxus.lan', to: 'sip:699800@10.186.205.131:6060', callerTag: 'XZc7X3NHcrm1g', callerUser: '79135045333',
      startUs: START_US, startedBeforeCapture: false, sequence: 2181, lastUs: START_US + 56_157_800, ringing: true, answerUs: START_US + 2_033_173,
      reinvites: 0, packets: [101355, 101356, 101358, 101359, 101361, 101362, 101364, 101366, 101368, 101370, 101372, 101374, 101375, 101377, 101379, 101381, 101383],
      packetsTruncated: false, awaitingTransactions: 0, earlyTags: ['098d0506592e8127b25b37b77600'], confirmedTags: ['098d0506592e8127b25b37b77600'],
      sessions: [{ method: 'INVITE', inDialog: false, confirmedDialog: false, fromTag: 'XZc7X3NHcrm1g', cseqNumber: 125660961, forbiddenPackets: [], acked: true,
        request: { packetNumber: 101356, timeUs: START_US, side: 'caller' }, finalStatus: 200, finalTimeUs: START_US + 2_033_173, finalPacket: 101372, successTimeUs: START_US + 2_033_173, successPacket: 101372 }],
    };
    expect(parkState(call, '79135045333').text.length).toBeLessThan(400);
  });
});
