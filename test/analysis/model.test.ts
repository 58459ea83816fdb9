/**
 * The model on real messages: payloads decoded from the recorded revocation capture (Kamailio + SIPp), replayed
 * with retransmissions injected, with every Via branch turned into an RFC 2543 one, and cut short; plus forking
 * and re-INVITE rules on messages built from those captured messages.
 */
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/types.js';
import { STORM_THRESHOLD } from '../../src/analysis/detectors/retransmission-storm.js';

const CAPTURE = 'fixtures/captures/recorded/revocation-udp.pcap';

async function payloadsOf(capture: string): Promise<SipPayload[]> {
  const payloads: SipPayload[] = [];
  await decodeCaptures([capture], { payload: (payload) => payloads.push(payload) });
  return payloads;
}

function analyze(payloads: SipPayload[]): AnalysisResult {
  const analyzer = new Analyzer();
  for (const payload of payloads) analyzer.add(payload);
  return analyzer.finish();
}

const text = (payload: SipPayload) => Buffer.from(payload.bytes).toString('latin1');
const withText = (payload: SipPayload, body: string, extra: Partial<SipPayload> = {}): SipPayload => ({ ...payload, bytes: Buffer.from(body, 'latin1'), ...extra });

function callsView(result: AnalysisResult) {
  return result.calls.map(({ callId, state, reinvites, durationMs, username, endedBy }) => ({ callId, state, reinvites, durationMs, username, endedBy }));
}

describe('transactions and retransmissions', () => {
  it('a repeated message is a retransmission: counted as a message, not as a new transaction, call event or finding', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const baseline = analyze(payloads);
    const repeated: SipPayload[] = [];
    let nextPacket = 100_000;
    for (const payload of payloads) {
      repeated.push(payload);
      // repeat every INVITE and every 403 twice, 0.5 s and 1.5 s later (Timer A / G spacing), as new frames
      if (/^(INVITE |SIP\/2\.0 403)/.test(text(payload))) {
        for (const delayUs of [500_000, 1_500_000]) {
          repeated.push({ ...payload, packetNumber: nextPacket, packets: [nextPacket], timeUs: payload.timeUs + delayUs });
          nextPacket++;
        }
      }
    }
    repeated.sort((a, b) => a.timeUs - b.timeUs);
    const result = analyze(repeated);
    expect(result.summary.sipMessages).toBe(baseline.summary.sipMessages + (repeated.length - payloads.length));
    expect(callsView(result)).toEqual(callsView(baseline));
    expect(result.findings.map((f) => [f.kind, f.callId, f.timeUs, f.packets])).toEqual(baseline.findings.map((f) => [f.kind, f.callId, f.timeUs, f.packets]));
    expect(result.revocations).toEqual(baseline.revocations);
  });

  it(`a transaction retransmitted ${STORM_THRESHOLD} times is a retransmission-storm, ${STORM_THRESHOLD - 1} times is not`, async () => {
    const payloads = await payloadsOf(CAPTURE);
    const register = payloads.find((payload) => text(payload).startsWith('REGISTER '))!;
    const storm = (times: number) =>
      analyze(Array.from({ length: times + 1 }, (_, i) => ({ ...register, packetNumber: i + 1, packets: [i + 1], timeUs: register.timeUs + i * 500_000 }))).findings.filter(
        (finding) => finding.kind === 'retransmission-storm',
      );
    expect(storm(STORM_THRESHOLD - 1)).toEqual([]);
    const found = storm(STORM_THRESHOLD);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain(`retransmitted ${STORM_THRESHOLD} times`);
  });

  it('RFC 2543 fallback: without the z9hG4bK magic cookie the same calls, findings and timeline come out', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const baseline = analyze(payloads);
    const old = payloads.map((payload) => withText(payload, text(payload).replace(/branch=z9hG4bK/g, 'branch=rfc2543x')));
    expect(old.some((payload) => text(payload).includes('z9hG4bK'))).toBe(false);
    const result = analyze(old);
    expect(callsView(result)).toEqual(callsView(baseline));
    expect(result.findings).toEqual(baseline.findings);
    expect(result.revocations).toEqual(baseline.revocations);
  });

  it('RFC 2543 fallback: responses still match their request when Via has no branch at all', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const baseline = analyze(payloads);
    const result = analyze(payloads.map((payload) => withText(payload, text(payload).replace(/;branch=[^;\r\n,]+/g, ''))));
    expect(callsView(result)).toEqual(callsView(baseline));
    expect(result.findings.map((f) => [f.kind, f.callId, f.packets])).toEqual(baseline.findings.map((f) => [f.kind, f.callId, f.packets]));
  });
});

describe('calls and dialogs', () => {
  it('a capture cut before the BYEs leaves the calls active and reports them as orphan calls', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const firstBye = payloads.findIndex((payload) => text(payload).startsWith('BYE '));
    const result = analyze(payloads.slice(0, firstBye));
    expect(result.calls.every((call) => call.state === 'active' && call.endUs === undefined && call.durationMs === undefined)).toBe(true);
    expect(result.findings.filter((f) => f.kind === 'orphan-call').map((f) => f.callId).sort()).toEqual(result.calls.map((c) => c.callId).sort());
    expect(result.durations.count).toBe(0);
  });

  it('a 403 to an initial INVITE fails the call and is not a reinvite-forbidden', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const invite = payloads.find((payload) => /^INVITE /.test(text(payload)) && !/^To:.*tag=/im.test(text(payload)))!;
    const callId = /^Call-ID:\s*(.+)$/im.exec(text(invite))![1].trim();
    const headers = text(invite).split('\r\n\r\n')[0].split('\r\n').slice(1).filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
    const forbidden = withText(invite, ['SIP/2.0 403 Forbidden', ...headers.map((line) => (/^To:/i.test(line) ? `${line};tag=refuser` : line)), 'Content-Length: 0', '', ''].join('\r\n'), {
      packetNumber: 2,
      packets: [2],
      timeUs: invite.timeUs + 1000,
      src: invite.dst,
      dst: invite.src,
    });
    const result = analyze([{ ...invite, packetNumber: 1, packets: [1] }, forbidden]);
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ callId, state: 'failed', durationMs: 1 });
    expect(result.findings.filter((f) => f.kind === 'reinvite-forbidden')).toEqual([]);
  });

  it("a call whose initial INVITE carried no credential is the user's whose credential its later requests carried first", async () => {
    const payloads = await payloadsOf(CAPTURE);
    const initial = (payload: SipPayload) => /^INVITE /.test(text(payload)) && !/^To:.*tag=/im.test(text(payload));
    // the INVITEs that answered the 407 now carry nothing: only the re-INVITEs (and what else follows) say who called
    const stripped = payloads.map((payload) => (initial(payload) ? withText(payload, text(payload).replace(/^Proxy-Authorization:.*\r\n/gim, '')) : payload));
    const firstCarried = new Map<string, string>();
    for (const payload of stripped) {
      const callId = /^Call-ID:\s*(.+)$/im.exec(text(payload))![1].trim();
      const username = /^(?:Proxy-)?Authorization:\s*Digest\s.*?\busername="([^"]*)"/im.exec(text(payload))?.[1];
      if (/^[A-Z]+ /.test(text(payload)) && username !== undefined && !firstCarried.has(callId)) firstCarried.set(callId, username);
    }
    const result = analyze(stripped);
    expect(result.calls).toHaveLength(5);
    for (const call of result.calls) {
      expect(call.username).toBe(firstCarried.get(call.callId));
      expect(call.owner).toBe(call.username);
    }
  });

  it('a caller refused under one username that then got through with another ran on the second: the accepted INVITE names the user', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const first = payloads.find((payload) => /^INVITE /.test(text(payload)))!;
    const callId = /^Call-ID:\s*(.+)$/im.exec(text(first))![1].trim();
    const ofCall = payloads.filter((payload) => text(payload).includes(`Call-ID: ${callId}`));
    const accepted = /^Proxy-Authorization:\s*Digest\s.*?\busername="([^"]*)"/im.exec(ofCall.map(text).join(''))![1];
    // the first INVITE (challenged with 407) as if it had carried another user's credential
    const other = withText(first, text(first).replace('\r\nCSeq:', '\r\nProxy-Authorization: Digest username="mallory", realm="sipscope.test", nonce="n", uri="sip:carol@sipscope.test", response="00000000000000000000000000000000"\r\nCSeq:'));
    expect(text(other)).toContain('username="mallory"');
    const result = analyze(ofCall.map((payload) => (payload === first ? other : payload)));
    expect(result.calls).toHaveLength(1);
    expect(accepted).not.toBe('mallory');
    expect(result.calls[0].username).toBe(accepted);
  });

  it('a forked INVITE (two To tags in 180s, one 200) is one call with two dialogs; the re-INVITE count ignores hops', async () => {
    const payloads = await payloadsOf(CAPTURE);
    const callId = /^Call-ID:\s*(.+)$/im.exec(text(payloads.find((payload) => /^INVITE /.test(text(payload)))!))![1].trim();
    const ofCall = payloads.filter((payload) => text(payload).includes(`Call-ID: ${callId}`));
    const ringing = ofCall.find((payload) => text(payload).startsWith('SIP/2.0 180'))!;
    const forked = withText(ringing, text(ringing).replace(/^(To:.*;tag=)([^;\r\n]+)/im, '$1forked-branch-2'), {
      packetNumber: ringing.packetNumber,
      timeUs: ringing.timeUs + 10,
    });
    const baseline = analyze(ofCall);
    const result = analyze([...ofCall, forked].sort((a, b) => a.timeUs - b.timeUs));
    expect(baseline.calls[0].dialogs).toBe(1);
    expect(result.calls[0].dialogs).toBe(2);
    expect(result.calls[0].state).toBe(baseline.calls[0].state);
    expect(result.calls[0].reinvites).toBe(baseline.calls[0].reinvites);
    expect(result.calls).toHaveLength(1);
  });
});
