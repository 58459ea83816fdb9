import { describe, expect, it } from 'vitest';
import { decodeSctp, MAX_SCTP_FRAGMENTS, SctpFragments } from '../../src/capture/sctp.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { readCapturePackets } from './tcp-capture-helper.js';
import { frameCallIdKeys, publicCapture, tsharkSip } from './tcp-expect-helper.js';

function collector() {
  const messages: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  return { messages, issues, sink: { message: (p: SipPayload) => messages.push(p), issue: (i: DecodeIssue) => issues.push(i) } };
}

describe('SCTP in a real capture', () => {
  it('sip_sctp.pcap: fragmented unordered DATA reassembled; same frames and Call-IDs as tshark', () => {
    const path = publicCapture('sip_sctp.pcap');
    const { messages, issues, sink } = collector();
    for (const p of readCapturePackets(path)) {
      if (p.protocol !== 132) continue;
      decodeSctp(p.l4, { file: path, packetNumber: p.packetNumber, timeUs: p.timeUs, offset: p.offset, src: p.srcIp, dst: p.dstIp }, sink);
    }
    const expected = tsharkSip(path, 'sip');
    expect(expected).toHaveLength(4);
    expect(frameCallIdKeys(messages)).toEqual(frameCallIdKeys(expected));
    expect(issues).toEqual([]);
    expect(messages[0].packets).toEqual([1, 2]);
    expect(messages.every((m) => m.transport === 'sctp')).toBe(true);
    expect(messages[0].src.port).toBe(57098);
  });
});

const invite = Buffer.from('INVITE sip:b@example.org SIP/2.0\r\nCall-ID: sctp-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n');

function chunk(type: number, flags: number, header: number[], data: Buffer): Buffer {
  const length = 4 + header.length + data.length;
  const padded = Buffer.alloc((length + 3) & ~3);
  Buffer.from([type, flags, length >> 8, length & 0xff, ...header]).copy(padded);
  data.copy(padded, 4 + header.length);
  return padded;
}
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const packet = (...chunks: Buffer[]) => Buffer.concat([Buffer.from([0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 7, 0, 0, 0, 0]), ...chunks]);
const meta = (packetNumber: number) => ({ file: 'built', packetNumber, timeUs: packetNumber, offset: 0, src: '10.0.0.1', dst: '10.0.0.2' });

describe('SCTP chunks built by hand (RFC 9260 §3.3.1, RFC 8260 §2.1)', () => {
  it('reassembles DATA fragments arriving out of order and across a TSN wrap, ignoring a retransmitted one', () => {
    const { messages, sink } = collector();
    const parts = [invite.subarray(0, 10), invite.subarray(10, 40), invite.subarray(40)];
    const tsn = 0xffffffff;
    const data = (i: number, flags: number) => chunk(0, flags, [...u32((tsn + i) >>> 0), 0, 1, 0, 0, 0, 0, 0, 0], parts[i]);
    decodeSctp(packet(data(2, 0x01)), meta(1), sink);
    decodeSctp(packet(data(0, 0x02)), meta(2), sink);
    decodeSctp(packet(data(0, 0x02)), meta(3), sink);
    expect(messages).toHaveLength(0);
    decodeSctp(packet(data(1, 0x00)), meta(4), sink);
    expect(messages.map((m) => Buffer.from(m.bytes).toString())).toEqual([invite.toString()]);
    expect(messages[0].packets).toEqual([1, 2, 4]);
    expect(messages[0].packetNumber).toBe(4);
  });

  it('reads bundled whole DATA and I-DATA chunks and fragmented I-DATA by FSN', () => {
    const { messages, sink } = collector();
    const whole = chunk(0, 0x03, [...u32(5), 0, 0, 0, 1, ...u32(0)], invite);
    const iWhole = chunk(64, 0x03, [...u32(6), 0, 2, 0, 0, ...u32(9), ...u32(0)], invite);
    decodeSctp(packet(whole, iWhole), meta(1), sink);
    expect(messages).toHaveLength(2);
    const first = chunk(64, 0x02, [...u32(7), 0, 2, 0, 0, ...u32(10), ...u32(0)], invite.subarray(0, 30));
    const last = chunk(64, 0x01, [...u32(8), 0, 2, 0, 0, ...u32(10), ...u32(1)], invite.subarray(30));
    decodeSctp(packet(last), meta(2), sink);
    decodeSctp(packet(first), meta(3), sink);
    expect(messages).toHaveLength(3);
    expect(Buffer.from(messages[2].bytes).equals(invite)).toBe(true);
  });

  it('reports a chunk whose length runs past the packet, with the packet number', () => {
    const { issues, sink } = collector();
    const bad = chunk(0, 0x03, [...u32(1), 0, 0, 0, 0, ...u32(0)], invite);
    bad[3] = 0xff;
    bad[2] = 0x0f;
    decodeSctp(packet(bad), meta(42), sink);
    expect(issues).toMatchObject([{ code: 'sctp-bad-chunk', packetNumber: 42 }]);
  });

  it('bounds held fragments', () => {
    const store = new SctpFragments();
    for (let i = 0; i < MAX_SCTP_FRAGMENTS * 3; i++) {
      store.add(`k${i}`, { order: i, begin: true, end: false, bytes: new Uint8Array(10), packetNumber: i });
    }
    expect(store.held).toBeLessThanOrEqual(MAX_SCTP_FRAGMENTS);
    expect(store.held).toBeGreaterThan(0);
  });
});
