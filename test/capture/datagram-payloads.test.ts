/**
 * A SIP payload that comes in one piece (a UDP datagram, a HEP packet's payload, an SCTP user message, a WebSocket
 * message: RFC 3261 §18.3, RFC 4168 §5, RFC 7118 §5) is judged by one function (src/capture/sip-datagram-payload.ts): the same bytes are shown and reported
 * alike whichever way they came. The payloads are the damaged UDP datagrams of the damaged-udp tests, read out by tshark
 * (which shows each as SIP); the HEP packet is a real one of Kamailio's siptrace (hep3-kamailio.pcap) with its payload
 * chunk replaced, the SCTP packet a DATA chunk built by hand (RFC 9260 §3.3.1), the WebSocket message a masked text
 * frame after an Upgrade request (RFC 6455 §4.1, §5.2).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeHep } from '../../src/capture/hep.js';
import { decodeSctp } from '../../src/capture/sctp.js';
import { TcpReassembler, TCP_ACK, TCP_SYN, type TcpSegment } from '../../src/capture/tcp-reassembly.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { hepDatagrams } from '../cli/hep-datagrams.js';
import { cutUdpPayload, rewriteUdpPayload } from './damage-edits.mjs';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { tsharkUdpPayload } from './tcp-expect-helper.js';

const udp = readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded/udp.pcap'));

/** name -> the damaged capture and the record whose datagram is damaged */
const damaged: Record<string, [Buffer, number]> = {
  'only a start line, no CRLF': [cutUdpPayload(udp, 3, (payload) => payload.indexOf('\r\n')), 3],
  'header fields without the blank line': [cutUdpPayload(udp, 3, (payload) => payload.indexOf('\r\n\r\n') + 2), 3],
  'lines ended by a bare CR': [rewriteUdpPayload(udp, 14, (payload) => Buffer.from(payload.toString('latin1').replaceAll('\r\n', '\r'), 'latin1')), 14],
};

/** A copy of the HEP3 packet `hep` (HOMER HEP3 rev12: "HEP3", total length, chunks of vendor, type, length) with its payload chunk (type 0x000f) holding `sip`. */
function withHepPayload(hep: Buffer, sip: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 6; at + 6 <= hep.length; at += hep.readUInt16BE(at + 4)) {
    const chunk = hep.subarray(at, at + hep.readUInt16BE(at + 4));
    if (chunk.readUInt16BE(2) !== 0x000f) {
      parts.push(chunk);
      continue;
    }
    const header = Buffer.from(chunk.subarray(0, 6));
    header.writeUInt16BE(6 + sip.length, 4);
    parts.push(header, sip);
  }
  const body = Buffer.concat(parts);
  const head = Buffer.from(hep.subarray(0, 6));
  head.writeUInt16BE(6 + body.length, 4);
  return Buffer.concat([head, body]);
}

/** One SCTP packet (common header, RFC 9260 §3.1) with one unfragmented DATA chunk (B and E set) carrying `data`. */
function sctpPacket(data: Buffer): Buffer {
  const length = 16 + data.length;
  const chunk = Buffer.alloc((length + 3) & ~3);
  Buffer.from([0, 0x03, length >> 8, length & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]).copy(chunk);
  data.copy(chunk, 16);
  return Buffer.concat([Buffer.from([0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 7, 0, 0, 0, 0]), chunk]);
}

const wsUpgrade =
  'GET / HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n';

/**
 * SIP over WebSocket (RFC 7118): a client's Upgrade request (RFC 6455 §4.1) and one masked text frame (§5.2) holding
 * `sip`, in one TCP segment after a SYN, read by the TCP reassembly; what comes out.
 */
function overWebSocket(sip: Buffer) {
  const mask = [1, 2, 3, 4];
  const lengthBytes = sip.length < 126 ? [0x80 | sip.length] : [0x80 | 126, sip.length >> 8, sip.length & 0xff];
  const frame = Buffer.concat([Buffer.from([0x81, ...lengthBytes, ...mask]), Buffer.from(sip.map((byte, i) => byte ^ mask[i & 3]))]);
  const client = { ip: '198.51.100.1', port: 50000 };
  const server = { ip: '198.51.100.2', port: 8080 };
  const segments: TcpSegment[] = [
    { file: 'ws', packetNumber: 1, timeUs: 0, offset: 0, src: client, dst: server, seq: 99, ack: 0, flags: TCP_SYN, payload: new Uint8Array(0) },
    { file: 'ws', packetNumber: 2, timeUs: 1, offset: 300, src: client, dst: server, seq: 100, ack: 0, flags: TCP_ACK, payload: Buffer.concat([Buffer.from(wsUpgrade), frame]) },
  ];
  const { messages, issues, sink } = collector();
  const reassembler = new TcpReassembler(sink);
  for (const segment of segments) reassembler.segment(segment);
  reassembler.flush();
  return { messages, issues };
}

function collector() {
  const messages: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  return { messages, issues, sink: { message: (m: SipPayload) => messages.push(m), issue: (i: DecodeIssue) => issues.push(i) } };
}

describe('one judgement of a datagram-like SIP payload, over UDP, HEP, SCTP and WebSocket', () => {
  const hep = hepDatagrams()[0];

  for (const [what, [capture, record]] of Object.entries(damaged)) {
    it(`${what}: shown with the same bytes and reported with the same code over HEP, SCTP and WebSocket as over UDP`, async () => {
      const path = writeScratch(capture, 'damaged-datagram.pcap');
      const sip = Buffer.from(tsharkUdpPayload(path, record), 'hex');
      const overUdp = await decodeBytes(capture);
      const codes = overUdp.issues.filter((issue) => issue.packetNumber === record).map((issue) => issue.code);
      expect(codes).toHaveLength(1);
      expect(Buffer.from(overUdp.payloads.find((payload) => payload.packetNumber === record)!.bytes).equals(sip)).toBe(true);

      const overHep = collector();
      expect(decodeHep(withHepPayload(hep, sip), { file: 'hep', packetNumber: 7, timeUs: 0, offset: 100 }, overHep.sink)).toBe(true);
      expect(overHep.messages.map((message) => Buffer.from(message.bytes).equals(sip))).toEqual([true]);
      expect(overHep.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([[codes[0], 7, 100]]);
      expect(overHep.issues[0].message).toMatch(/\(HEP, packet 7\)$/);

      const overSctp = collector();
      decodeSctp(sctpPacket(sip), { file: 'sctp', packetNumber: 9, timeUs: 0, offset: 200, src: '10.0.0.1', dst: '10.0.0.2' }, overSctp.sink);
      expect(overSctp.messages.map((message) => Buffer.from(message.bytes).equals(sip))).toEqual([true]);
      expect(overSctp.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([[codes[0], 9, 200]]);
      expect(overSctp.issues[0].message).toMatch(/\(SCTP, packet 9\)$/);

      const overWs = overWebSocket(sip);
      expect(overWs.messages.map((message) => Buffer.from(message.bytes).equals(sip))).toEqual([true]);
      expect(overWs.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([[codes[0], 2, 300]]);
    });
  }

  it('a whole message (the REGISTER tshark reads in frame 3 of udp.pcap): the same over HEP, SCTP and WebSocket, nothing reported', () => {
    const sip = Buffer.from(tsharkUdpPayload(join(import.meta.dirname, '../../fixtures/captures/recorded/udp.pcap'), 3), 'hex');
    const overHep = collector();
    decodeHep(withHepPayload(hep, sip), { file: 'hep', packetNumber: 7, timeUs: 0, offset: 100 }, overHep.sink);
    const overSctp = collector();
    decodeSctp(sctpPacket(sip), { file: 'sctp', packetNumber: 9, timeUs: 0, offset: 200, src: '10.0.0.1', dst: '10.0.0.2' }, overSctp.sink);
    for (const { messages, issues } of [overHep, overSctp, overWebSocket(sip)]) {
      expect(messages.map((message) => Buffer.from(message.bytes).equals(sip))).toEqual([true]);
      expect(issues).toEqual([]);
    }
  });
});

describe('a whole datagram whose body ends with a line that looks like a header field', () => {
  it('the INVITE of udp.pcap frame 14 with "X-Frag: 1" after its SDP: its blank line is found, nothing reported (tshark flags nothing either)', async () => {
    const capture = rewriteUdpPayload(udp, 14, (payload) => Buffer.concat([payload, Buffer.from('X-Frag: 1\r\n')]));
    const path = writeScratch(capture, 'udp-body-header-like.pcap');
    const expert = execFileSync('tshark', ['-r', path, '-Y', 'frame.number == 14', '-T', 'fields', '-e', '_ws.expert.message'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(expert.trim()).toBe('');
    const decoded = await decodeBytes(capture);
    expect(decoded.payloads.map((payload) => payload.packetNumber)).toContain(14);
    expect(decoded.issues).toEqual([]);
  });
});
