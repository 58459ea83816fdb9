import { describe, expect, it } from 'vitest';
import { TcpReassembler, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpSegment } from '../../src/capture/tcp-reassembly.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { readTcpSegments } from './tcp-capture-helper.js';
import { frameCallIdKeys, publicCapture, tsharkSip } from './tcp-expect-helper.js';

function collect(segments: TcpSegment[], limits = {}) {
  const messages: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: (i) => issues.push(i) }, limits);
  for (const segment of segments) reassembler.segment(segment);
  reassembler.flush();
  return { messages, issues, reassembler };
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('TcpReassembler on real captures, checked against tshark', () => {
  it('sip_ipv4_tcp.pcap: one call over TCP, same frames and Call-IDs as tshark', () => {
    const path = publicCapture('sip_ipv4_tcp.pcap');
    const { messages, issues } = collect(readTcpSegments(path));
    expect(frameCallIdKeys(messages)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip && tcp')));
    expect(messages).toHaveLength(7);
    expect(issues).toEqual([]);
    for (const m of messages) expect(m.transport).toBe('tcp');
  });

  it('sip_ipv4_tcp_retrans.pcap: retransmitted segments are not counted twice', () => {
    const path = publicCapture('sip_ipv4_tcp_retrans.pcap');
    const { messages } = collect(readTcpSegments(path));
    const expected = tsharkSip(path, 'sip && tcp');
    expect(expected).toHaveLength(4);
    expect(frameCallIdKeys(messages)).toEqual(frameCallIdKeys(expected));
    // the retransmitted frame 38 repeats a message: it must not appear as a message of its own
    expect(messages.map((m) => m.packetNumber)).not.toContain(38);
  });

  it('sip_ipv4_tcp_fragmented.pcap: 406 messages split across segments on port 6060, as tshark frames them', () => {
    const path = publicCapture('sip_ipv4_tcp_fragmented.pcap');
    const { messages, issues } = collect(readTcpSegments(path));
    const expected = tsharkSip(path, 'sip', ['-d', 'tcp.port==6060,sip']);
    expect(expected).toHaveLength(406);
    expect(frameCallIdKeys(messages)).toEqual(frameCallIdKeys(expected));
    expect(issues.filter((i) => i.code === 'tcp-gap')).toEqual([]);
    const spanning = messages.filter((m) => m.packets.length > 1);
    expect(spanning.length).toBeGreaterThan(0);
    for (const m of spanning) {
      expect(m.packets[m.packets.length - 1]).toBe(m.packetNumber);
      expect([...m.packets].sort((a, b) => a - b)).toEqual(m.packets);
    }
  });
});

const client = { ip: '192.0.2.1', port: 40000 };
const server = { ip: '192.0.2.2', port: 5060 };

function sipMessage(callId: string, body = ''): string {
  return (
    `OPTIONS sip:a@example.org SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK${callId}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Cuts `stream` into segments at `cuts`, numbering frames from 1 and sequence numbers from `isn` + 1. */
function segmentsOf(stream: string, cuts: number[], isn: number, withSyn = true): TcpSegment[] {
  const bytes = Buffer.from(stream, 'latin1');
  const segments: TcpSegment[] = [];
  let packetNumber = 0;
  const base = { file: 'built', offset: 0, src: client, dst: server, ack: 1 };
  if (withSyn) segments.push({ ...base, packetNumber: ++packetNumber, timeUs: 0, seq: isn >>> 0, flags: TCP_SYN, payload: new Uint8Array(0) });
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const payload = bytes.subarray(bounds[i], bounds[i + 1]);
    const seq = (isn + 1 + bounds[i]) >>> 0;
    segments.push({ ...base, packetNumber: ++packetNumber, timeUs: packetNumber * 1000, seq, flags: TCP_ACK | TCP_PSH, payload });
  }
  return segments;
}

describe('TcpReassembler rules on built segments', () => {
  const stream = sipMessage('one', 'v=0\r\n') + '\r\n\r\n' + sipMessage('two') + sipMessage('three', 'x'.repeat(300));

  it('reads several messages in one segment and skips keep-alive CRLFs', () => {
    const { messages, issues } = collect(segmentsOf(stream, [], 1000));
    expect(messages.map((m) => text(m.bytes))).toEqual([sipMessage('one', 'v=0\r\n'), sipMessage('two'), sipMessage('three', 'x'.repeat(300))]);
    expect(issues).toEqual([]);
  });

  it('joins one message across segments and lists every contributing frame', () => {
    const cuts = [10, 50, 200, 230, 400];
    const { messages } = collect(segmentsOf(stream, cuts, 1000));
    expect(messages.map((m) => text(m.bytes)).join('')).toBe(stream.replace('\r\n\r\nOPTIONS', 'OPTIONS'));
    expect(messages[0].packets).toEqual([2, 3, 4]);
    expect(messages[0].packetNumber).toBe(4);
  });

  it('handles sequence numbers wrapping past 2^32', () => {
    const isn = 0xffffffff - 100;
    const { messages, issues } = collect(segmentsOf(stream, [20, 90, 150, 333], isn));
    expect(messages).toHaveLength(3);
    expect(issues).toEqual([]);
  });

  it('reorders out-of-order segments and trims retransmitted and overlapping ones', () => {
    const segments = segmentsOf(stream, [40, 120, 260, 500], 7);
    const [syn, a, b, c, d, e] = segments;
    const overlap: TcpSegment = { ...c, packetNumber: 99, seq: b.seq + 10, payload: Buffer.concat([b.payload.subarray(10), c.payload]) };
    const { messages, issues } = collect([syn, a, c, e, b, overlap, b, d, d]);
    expect(messages.map((m) => text(m.bytes))).toEqual([sipMessage('one', 'v=0\r\n'), sipMessage('two'), sipMessage('three', 'x'.repeat(300))]);
    expect(issues).toEqual([]);
  });

  it('reports a lost segment as tcp-gap with its packet number and resyncs at the next start line', () => {
    const segments = segmentsOf(stream, [40, 120, 260], 5);
    const lost = segments.splice(2, 1);
    expect(lost).toHaveLength(1);
    const { messages, issues } = collect(segments);
    const gap = issues.find((i) => i.code === 'tcp-gap');
    expect(gap?.packetNumber).toBe(segments[2].packetNumber);
    expect(messages.map((m) => text(m.bytes))).toEqual([sipMessage('two'), sipMessage('three', 'x'.repeat(300))]);
  });

  it('syncs at the first start line when the capture began mid-stream', () => {
    const segments = segmentsOf(stream, [60, 200], 300, false).slice(1);
    const { messages } = collect(segments);
    expect(messages.map((m) => text(m.bytes))).toEqual([sipMessage('two'), sipMessage('three', 'x'.repeat(300))]);
  });

  it('does not take the tail of a request line for a start line after a mid-stream start or a gap', () => {
    const invite = sipMessage('first').replace('OPTIONS sip:a@example.org', 'INVITE sip:a@example.org');
    const tail = invite + sipMessage('second');
    const midStream = segmentsOf(tail, [2, 50], 1, false);
    expect(text(midStream[1].payload).startsWith('VITE sip:')).toBe(true);
    expect(collect(midStream.slice(1)).messages.map((m) => text(m.bytes))).toEqual([sipMessage('second')]);
    const withGap = segmentsOf(sipMessage('zero') + tail, [sipMessage('zero').length + 2, sipMessage('zero').length + 50], 1);
    const { messages, issues } = collect(withGap.filter((_, i) => i !== 2));
    expect(issues.map((i) => i.code)).toContain('tcp-gap');
    expect(messages.map((m) => text(m.bytes))).toEqual([sipMessage('zero'), sipMessage('second')]);
  });

  it('drops a non-SIP stream after a bounded look and reports no messages', () => {
    const http = 'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n' + 'z'.repeat(5000);
    const { messages, issues, reassembler } = collect(segmentsOf(http, [1000, 2000, 3000], 1), { lookBytes: 512 });
    expect(messages).toEqual([]);
    expect(issues).toEqual([]);
    expect(reassembler.flowCount).toBe(0);
  });

  it('reports a message cut by FIN and forgets closed flows after the idle timeout', () => {
    const segments = segmentsOf(stream.slice(0, 150), [], 1);
    const last = segments[segments.length - 1];
    segments.push({ ...last, packetNumber: 9, seq: (last.seq + last.payload.length) >>> 0, flags: TCP_FIN | TCP_ACK, payload: new Uint8Array(0) });
    const { issues } = collect(segments);
    expect(issues.map((i) => i.code)).toContain('tcp-incomplete-message');
  });

  it('bounds the number of flows (least recently used evicted)', () => {
    const messages: SipPayload[] = [];
    const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: () => {} }, { maxFlows: 8 });
    for (let port = 1; port <= 100; port++) {
      const [, data] = segmentsOf(sipMessage(`c${port}`), [], port * 1000);
      reassembler.segment({ ...data, src: { ip: '192.0.2.9', port } });
      expect(reassembler.flowCount).toBeLessThanOrEqual(8);
    }
    expect(messages).toHaveLength(100);
  });

  it('evicts the least recently used flow, not one that is still sending (second chance)', () => {
    const messages: SipPayload[] = [];
    const issues: DecodeIssue[] = [];
    const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: (i) => issues.push(i) }, { maxFlows: 2 });
    const whole = Buffer.from(sipMessage('a'));
    const from = (port: number, timeUs: number, seq: number, payload: Uint8Array): TcpSegment => ({
      file: 'built', packetNumber: timeUs, timeUs, offset: 0, src: { ip: '192.0.2.7', port }, dst: server, seq, ack: 0, flags: TCP_ACK, payload,
    });
    reassembler.segment(from(1, 1, 100, whole.subarray(0, 30)));
    reassembler.segment(from(2, 2, 500, whole.subarray(0, 30)));
    reassembler.segment(from(1, 3, 130, whole.subarray(30, 60)));
    reassembler.segment(from(3, 4, 900, whole));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'tcp-flow-evicted', packetNumber: 4 });
    expect(issues[0].message).toContain('192.0.2.7:2 ->');
    reassembler.segment(from(1, 5, 160, whole.subarray(60)));
    expect(messages.map((m) => [m.src.port, m.packets])).toEqual([[3, [4]], [1, [1, 3, 5]]]);
  });

  it('finishes flows idle for longer than the idle timeout (capture time)', () => {
    const issues: DecodeIssue[] = [];
    const reassembler = new TcpReassembler({ message: () => {}, issue: (i) => issues.push(i) }, { idleTimeoutUs: 10e6 });
    const [, first] = segmentsOf(sipMessage('idle').slice(0, 40), [], 1);
    reassembler.segment(first);
    const [, later] = segmentsOf(sipMessage('later'), [], 1);
    reassembler.segment({ ...later, src: { ip: '192.0.2.3', port: 1 }, timeUs: first.timeUs + 11e6 });
    expect(issues.map((i) => i.code)).toEqual(['tcp-incomplete-message']);
    expect(reassembler.flowCount).toBe(1);
  });

  it('bounds the bytes held by all flows together', () => {
    const issues: DecodeIssue[] = [];
    const reassembler = new TcpReassembler({ message: () => {}, issue: (i) => issues.push(i) }, { maxTotalBytes: 1000 });
    const partial = Buffer.from(sipMessage('held', 'b'.repeat(400))).subarray(0, 300);
    for (let port = 1; port <= 20; port++) {
      reassembler.segment({ file: 'built', packetNumber: port, timeUs: port, offset: 0, src: { ip: '192.0.2.8', port }, dst: server, seq: 1, ack: 0, flags: TCP_ACK, payload: partial });
    }
    expect(reassembler.flowCount).toBeLessThanOrEqual(4);
    expect(issues.filter((i) => i.code === 'tcp-flow-evicted').length).toBeGreaterThanOrEqual(16);
    expect(issues[0].message).toContain('more than 1000 bytes');
  });

  it('bounds held out-of-order data: beyond the limit the hole becomes a gap', () => {
    const segments = segmentsOf(stream, [10, 20, 30, 40, 50, 60, 70, 80], 1);
    const withoutFirstData = [segments[0], ...segments.slice(2)];
    const issues: DecodeIssue[] = [];
    const reassembler = new TcpReassembler({ message: () => {}, issue: (i) => issues.push(i) }, { maxOutOfOrderSegments: 3 });
    for (const s of withoutFirstData) reassembler.segment(s);
    expect(issues.map((i) => i.code)).toContain('tcp-gap');
  });
});
