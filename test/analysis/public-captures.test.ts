/**
 * The analysis over every public capture, against tshark: message counts per method and status, Call-IDs, the
 * Call-IDs that are calls (an INVITE request was seen), and the Call-IDs whose re-INVITE was answered 403
 * (NAME.expected.json, derived by expected-from-tshark.sh; aaa.pcap's 403s answer initial INVITEs and must not
 * count). Call-IDs of calls and the SIP frames of each call are read from tshark here, at test time.
 */
import { describe, expect, it } from 'vitest';
import { analyzeWithCallIds, capturesWithExpected, PUBLIC_DIR, readJson, tsharkFields, type TsharkExpected } from './capture-helpers.js';

const captures = capturesWithExpected(PUBLIC_DIR);

describe('analysis of the public captures agrees with tshark', () => {
  it('finds the public captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(11);
  });

  for (const capture of captures) {
    it(capture, async () => {
      const expected = readJson<TsharkExpected>(`${capture}.expected.json`);
      const { result, callIds } = await analyzeWithCallIds([capture]);
      expect(result.summary.sipMessages).toBe(expected.sipMessages);
      expect(result.summary.requests).toEqual(expected.requests);
      expect(result.summary.responses).toEqual(expected.responses);
      expect(result.summary.decodeErrors).toBe(0);
      expect([...callIds].sort()).toEqual([...expected.callIds].sort());

      const reinviteForbidden = result.findings.filter((finding) => finding.kind === 'reinvite-forbidden').map((finding) => finding.callId!);
      expect([...new Set(reinviteForbidden)].sort()).toEqual([...expected.reinviteForbiddenCallIds].sort());

      const inviteRows = tsharkFields(capture, 'sip.Method == "INVITE"', ['sip.Call-ID']);
      const inviteCallIds = new Set(inviteRows.flatMap((row) => row[0].split(',')));
      expect(result.calls.map((call) => call.callId).sort()).toEqual([...inviteCallIds].sort());
      expect(result.summary.calls).toBe(inviteCallIds.size);

      // Every frame tshark shows with a call's Call-ID (from its first INVITE on) is among the call's packets.
      const rows = tsharkFields(capture, 'sip', ['frame.number', 'sip.Call-ID']);
      for (const call of result.calls) {
        const framesOfCall = rows.filter((row) => row[1].split(',').includes(call.callId)).map((row) => Number(row[0]));
        const firstInviteFrame = Math.min(...call.packets);
        for (const frame of framesOfCall.filter((number) => number >= firstInviteFrame)) expect(call.packets).toContain(frame);
      }
    }, 60_000);
  }
});
