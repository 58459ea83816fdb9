/**
 * Finding kinds on real captures, with the evidence frames read from tshark at test time, and on real messages
 * altered in one place (a 403 turned into 503; a call cap of 2).
 */
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { analyzeWithCallIds, PUBLIC_DIR, RECORDED_DIR, tsharkFields } from './capture-helpers.js';

const AAA = `${PUBLIC_DIR}/sngrep/aaa.pcap`;
const IPIP = `${PUBLIC_DIR}/sngrep/ipip.pcap`;
const REVOCATION = `${RECORDED_DIR}/revocation-udp.pcap`;

describe('detectors on real captures', () => {
  it('aaa.pcap: every 408 to an INVITE is an invite-timeout with that frame as evidence', async () => {
    const { result } = await analyzeWithCallIds([AAA]);
    const timeouts = tsharkFields(AAA, 'sip.Status-Code == 408 && sip.CSeq.method == "INVITE"', ['frame.number', 'sip.Call-ID']);
    expect(timeouts.length).toBeGreaterThan(0);
    for (const [frame, callId] of timeouts) {
      const finding = result.findings.find((f) => f.kind === 'invite-timeout' && f.callId === callId);
      expect(finding?.packets).toContain(Number(frame));
    }
  });

  it('aaa.pcap: a REGISTER refused with 403 for a user that never registered is auth-rejected, not register-forbidden', async () => {
    const { result } = await analyzeWithCallIds([AAA]);
    const refused = tsharkFields(AAA, 'sip.Status-Code == 403 && sip.CSeq.method == "REGISTER"', ['frame.number', 'sip.from.user']);
    expect(refused.length).toBe(1);
    const [frame, user] = refused[0];
    const okBefore = tsharkFields(AAA, `sip.Status-Code == 200 && sip.CSeq.method == "REGISTER" && sip.from.user == "${user}" && frame.number < ${frame}`, ['frame.number']);
    expect(okBefore).toEqual([]);
    expect(result.findings.filter((f) => f.kind === 'register-forbidden')).toEqual([]);
    const rejected = result.findings.find((f) => f.kind === 'auth-rejected' && f.packets.includes(Number(frame)));
    expect(rejected?.username).toBe(user);
  });

  it('ipip.pcap: a 2xx to INVITE never ACKed while the capture went on for 32 s is no-ack', async () => {
    const { result } = await analyzeWithCallIds([IPIP]);
    const acks = tsharkFields(IPIP, 'sip.Method == "ACK"', ['frame.number']);
    const ok = tsharkFields(IPIP, 'sip.Status-Code == 200 && sip.CSeq.method == "INVITE"', ['frame.number', 'frame.time_relative']);
    const last = tsharkFields(IPIP, 'sip', ['frame.time_relative']).pop()!;
    expect(acks).toEqual([]);
    expect(Number(last[0]) - Number(ok[0][1])).toBeGreaterThan(32);
    const noAck = result.findings.filter((f) => f.kind === 'no-ack');
    expect(noAck).toHaveLength(1);
    expect(noAck[0].packets).toContain(Number(ok[0][0]));
  });

  it('revocation capture: no warning-level noise (auth loops, timeouts, storms) in a clean recording', async () => {
    const { result } = await analyzeWithCallIds([REVOCATION]);
    expect(result.findings.filter((f) => f.severity !== 'error')).toEqual([]);
  });
});

async function payloadsOf(capture: string): Promise<SipPayload[]> {
  const payloads: SipPayload[] = [];
  await decodeCaptures([capture], { payload: (payload) => payloads.push(payload) });
  return payloads;
}

describe('detectors on altered real messages', () => {
  it('a 5xx final response is a server-error, once per request over all hops', async () => {
    const payloads = (await payloadsOf(REVOCATION)).map((payload) => {
      const text = Buffer.from(payload.bytes).toString('latin1');
      return text.startsWith('SIP/2.0 403 Forbidden') ? { ...payload, bytes: Buffer.from(text.replace('SIP/2.0 403 Forbidden', 'SIP/2.0 503 Overload!!'), 'latin1') } : payload;
    });
    const analyzer = new Analyzer();
    for (const payload of payloads) analyzer.add(payload);
    const result = analyzer.finish();
    const errors = result.findings.filter((f) => f.kind === 'server-error');
    expect(errors).toHaveLength(4);
    expect(errors.every((f) => f.severity === 'error' && f.message.includes('503 Overload!!'))).toBe(true);
    expect(result.findings.filter((f) => f.kind === 'reinvite-forbidden')).toEqual([]);
    expect(result.revocations).toEqual([]);
  });

  it('the call cap keeps the first calls and reports the rest as an issue', async () => {
    const analyzer = new Analyzer({ limits: { maxCalls: 2 } });
    for (const payload of await payloadsOf(REVOCATION)) analyzer.add(payload);
    const result = analyzer.finish();
    expect(result.calls).toHaveLength(2);
    expect(result.issues.map((issue) => issue.code)).toContain('call-limit');
  });
});
