/** A message as the report keeps it: text cut at 16 KiB, credentials redacted, the sender's agent read. */
import { describe, expect, it } from 'vitest';
import type { ObservedMessage } from '../../../src/analysis/observed.js';
import type { SipPayload } from '../../../src/capture/types.js';
import { CallDetails } from '../../../src/report/html/call-details.js';
import { MAX_MESSAGE_TEXT, reportMessageOf } from '../../../src/report/html/messages.js';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1',
  'CSeq: 2 INVITE',
  'User-Agent: phone/1.0',
  'Proxy-Authorization: Digest username="alice", realm="example.com", nonce="n", uri="sip:bob@example.com", response="00112233445566778899aabbccddeeff"',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function observed(): ObservedMessage {
  return {
    file: 'x.pcap',
    packetNumber: 7,
    packets: [7],
    timeUs: 1,
    src: { ip: '192.0.2.1', port: 5060 },
    dst: { ip: '192.0.2.2', port: 5060 },
    kind: 'request',
    method: 'INVITE',
    firstLine: 'INVITE sip:bob@example.com SIP/2.0',
    fields: { callId: 'c1', cseqNumber: 2, cseqMethod: 'INVITE', fromUri: 'sip:alice@example.com', toUri: 'sip:bob@example.com', staleChallenge: false },
  };
}

function payload(text: string): SipPayload {
  return { file: 'x.pcap', packetNumber: 7, packets: [7], timeUs: 1, src: observed().src, dst: observed().dst, transport: 'udp', bytes: Buffer.from(text) };
}

describe('reportMessageOf', () => {
  it('redacts the digest response unless secrets are asked for, and reads the User-Agent', () => {
    const hidden = reportMessageOf(observed(), false, payload(INVITE), false);
    expect(hidden.text).toContain('response="<redacted>"');
    expect(hidden.text).not.toContain('00112233445566778899aabbccddeeff');
    expect(hidden.agent).toBe('phone/1.0');
    expect(hidden.cseq).toBe('2 INVITE');
    expect(hidden.label).toBe('INVITE');
    expect(reportMessageOf(observed(), false, payload(INVITE), true).text).toBe(INVITE);
  });

  it('cuts a text over 16 KiB and says how much is left out', () => {
    const big = INVITE.replace('Content-Length: 0', `X-Pad: ${'a'.repeat(20_000)}\r\nContent-Length: 0`);
    const message = reportMessageOf(observed(), true, payload(big), true);
    expect(message.text.startsWith(big.slice(0, MAX_MESSAGE_TEXT))).toBe(true);
    expect(message.text).toContain(`[... ${Buffer.byteLength(big) - MAX_MESSAGE_TEXT} more bytes not shown]`);
  });
});

describe('CallDetails', () => {
  it('keeps only the wanted Call-IDs, and counts what is beyond the per-call limit', () => {
    const details = new CallDetails(new Set(['c1']), 2);
    const message = reportMessageOf(observed(), false, payload(INVITE), false);
    for (let index = 0; index < 5; index++) details.add('c1', message);
    details.add('other', message);
    expect([...details.all().keys()]).toEqual(['c1']);
    expect(details.all().get('c1')!.messages).toHaveLength(2);
    expect(details.all().get('c1')!.omitted).toBe(3);
  });
});
