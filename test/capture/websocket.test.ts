import { describe, expect, it } from 'vitest';
import { TcpReassembler, TCP_ACK, TCP_SYN, type TcpSegment } from '../../src/capture/tcp-reassembly.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { readWsFrameHeader, readWsHandshake } from '../../src/capture/websocket.js';
import { readTcpSegments } from './tcp-capture-helper.js';
import { frameCallIdKeys, publicCapture, tsharkSip } from './tcp-expect-helper.js';

function run(segments: TcpSegment[]) {
  const messages: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: (i) => issues.push(i) });
  for (const s of segments) reassembler.segment(s);
  reassembler.flush();
  return { messages, issues };
}

describe('SIP over WebSocket in a real capture', () => {
  it('sip_tcp_websocket.pcap: the WebSocket-carried messages, masked and unmasked, match tshark frame by frame', () => {
    const path = publicCapture('sip_tcp_websocket.pcap');
    const { messages, issues } = run(readTcpSegments(path));
    const expected = tsharkSip(path, 'sip && websocket');
    expect(expected).toHaveLength(11);
    expect(frameCallIdKeys(messages)).toEqual(frameCallIdKeys(expected));
    expect(issues).toEqual([]);
    for (const m of messages) expect(m.transport).toBe('ws');
    // frame 11 completes an INVITE whose WebSocket frame began in frame 10 (client to server, masked)
    const invite = messages.find((m) => m.packetNumber === 11);
    expect(invite?.packets).toEqual([10, 11]);
    expect(Buffer.from(invite!.bytes).toString('latin1')).toMatch(/^INVITE sip:\+12263382742@dev-mike\.tncp\.textnow\.com SIP\/2\.0\r\n/);
  });
});

const client = { ip: '198.51.100.1', port: 50000 };
const server = { ip: '198.51.100.2', port: 8080 };

function frame(opcode: number, fin: boolean, payload: Buffer, mask?: number[]): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? [length] : length < 65536 ? [126, length >> 8, length & 0xff] : [127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
  if (mask) lengthBytes[0] |= 0x80;
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ mask[i & 3])) : payload;
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, ...lengthBytes, ...(mask ?? [])]), body]);
}

function stream(bytes: Buffer, cuts: number[], from = client, to = server): TcpSegment[] {
  const segments: TcpSegment[] = [{ file: 'b', packetNumber: 1, timeUs: 0, offset: 0, src: from, dst: to, seq: 99, ack: 0, flags: TCP_SYN, payload: new Uint8Array(0) }];
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    segments.push({ file: 'b', packetNumber: i + 2, timeUs: i, offset: 0, src: from, dst: to, seq: 100 + bounds[i], ack: 0, flags: TCP_ACK, payload: bytes.subarray(bounds[i], bounds[i + 1]) });
  }
  return segments;
}

const upgrade =
  'GET / HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n';
const register = 'REGISTER sip:example.org SIP/2.0\r\nCall-ID: ws-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n';

describe('WebSocket without its handshake, and after a gap', () => {
  const path = () => publicCapture('sip_tcp_websocket.pcap');

  it('a capture that began after the handshake still yields every WebSocket message', () => {
    const all = readTcpSegments(path());
    const full = run(all).messages;
    // frames 3-9: SYN, SYN/ACK, ACK, the GET upgrade, its ACK, the 101 response, its ACK
    const { messages } = run(all.filter((s) => s.packetNumber < 3 || s.packetNumber > 9));
    expect(messages.map((m) => Buffer.from(m.bytes).toString('latin1'))).toEqual(full.map((m) => Buffer.from(m.bytes).toString('latin1')));
  });

  it('after a lost segment, reading resumes at the next frame that carries SIP', () => {
    const all = readTcpSegments(path());
    const full = run(all).messages;
    const lost = 16; // first segment of the second INVITE (client to server, masked, completed in frame 18)
    const { messages: emitted, issues } = run(all.filter((s) => s.packetNumber !== lost));
    expect(issues.map((i) => i.code)).toContain('tcp-gap');
    // the hole is given up at the end of the capture, so the messages after it come last
    const messages = [...emitted].sort((a, b) => a.packetNumber - b.packetNumber);
    const expected = full.filter((m) => !m.packets.includes(lost));
    expect(messages.map((m) => m.packetNumber)).toEqual(expected.map((m) => m.packetNumber));
    expect(messages.map((m) => Buffer.from(m.bytes).toString('latin1'))).toEqual(expected.map((m) => Buffer.from(m.bytes).toString('latin1')));
  });
});

describe('WebSocket framing (RFC 6455 §5) on built streams', () => {
  it('reassembles a fragmented, masked message with a ping between its fragments', () => {
    const first = Buffer.from(register);
    const second = Buffer.from(register.replace('ws-1', 'ws-2'));
    const bytes = Buffer.concat([
      Buffer.from(upgrade),
      frame(0x1, false, first.subarray(0, 20), [1, 2, 3, 4]),
      frame(0x9, true, Buffer.from('ping'), [9, 9, 9, 9]),
      frame(0x0, true, first.subarray(20), [5, 6, 7, 8]),
      frame(0x2, true, second, [0xaa, 0xbb, 0xcc, 0xdd]),
    ]);
    const { messages, issues } = run(stream(bytes, [upgrade.length + 3, upgrade.length + 40]));
    expect(issues).toEqual([]);
    expect(messages.map((m) => Buffer.from(m.bytes).toString())).toEqual([register, register.replace('ws-1', 'ws-2')]);
    expect(messages[0].packets).toEqual([2, 3, 4]);
  });

  it('reads unmasked server frames after a 101 response, including a 16-bit length', () => {
    const response = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
    const big = register.replace('Content-Length: 0\r\n\r\n', `Content-Length: 300\r\n\r\n${'b'.repeat(300)}`);
    const bytes = Buffer.concat([Buffer.from(response), frame(0x1, true, Buffer.from(big)), frame(0x8, true, Buffer.alloc(0))]);
    const { messages } = run(stream(bytes, [10, 200], server, client));
    expect(messages.map((m) => Buffer.from(m.bytes).toString())).toEqual([big]);
  });

  it('ignores WebSocket connections for another subprotocol', () => {
    const other = upgrade.replace('Sec-WebSocket-Protocol: sip', 'Sec-WebSocket-Protocol: chat');
    const bytes = Buffer.concat([Buffer.from(other), frame(0x1, true, Buffer.from(register), [1, 1, 1, 1])]);
    expect(run(stream(bytes, [])).messages).toEqual([]);
  });

  it('parses frame headers and rejects reserved opcodes', () => {
    expect(readWsFrameHeader(Uint8Array.from([0x81, 0x05]), 0, 2)).toEqual({ fin: true, opcode: 1, maskAt: -1, payloadAt: 2, payloadLength: 5 });
    expect(readWsFrameHeader(Uint8Array.from([0x83, 0x00]), 0, 2)).toBe('invalid');
    expect(readWsFrameHeader(Uint8Array.from([0x81, 0xfe, 0x01]), 0, 3)).toBeUndefined();
    expect(readWsHandshake(Buffer.from('GET / HT'), 0, 8)).toEqual({ kind: 'incomplete' });
    expect(readWsHandshake(Buffer.from('\x16\x03\x01'), 0, 3)).toEqual({ kind: 'not-http' });
  });
});
