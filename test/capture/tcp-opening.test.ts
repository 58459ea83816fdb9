/**
 * What a reader of only some frames of a TCP connection needs besides a message's own frames (SipPayload.opening
 * and leadIn, which `sipscope extract` writes): the frames that opened the connection, checked against the
 * handshake tshark sees in real captures, and the lead-in of a message whose first segment begins with the end of
 * another.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import { ipv4FlowKey, reverseFlowKey, textFlowKey } from '../../src/capture/tcp-flow-key.js';
import { TcpReassembler, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpSegment } from '../../src/capture/tcp-reassembly.js';
import { MAX_LEAD_IN_FRAMES } from '../../src/capture/tcp-flow.js';
import type { SipPayload } from '../../src/capture/types.js';
import { readTcpSegments } from './tcp-capture-helper.js';
import { publicCapture } from './tcp-expect-helper.js';

/**
 * tshark's view of each TCP stream's opening: the SYN and SYN-ACK, the ACK that completes the handshake (the
 * client's first segment without data, relative seq and ack 1), the HTTP Upgrade request and its 101 response.
 * Returns the stream of every TCP frame and the opening frames of each stream.
 */
function tsharkOpenings(path: string): { streamOf: Map<number, number>; openings: Map<number, number[]> } {
  const handshake = 'tcp.flags.syn == 1 || (tcp.len == 0 && tcp.seq == 1 && tcp.ack == 1) || http.upgrade || http.response.code == 101';
  const rows = execFileSync('tshark', ['-r', path, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const opening = new Set(
    execFileSync('tshark', ['-r', path, '-Y', `tcp && (${handshake})`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number),
  );
  const streamOf = new Map<number, number>();
  const openings = new Map<number, number[]>();
  for (const line of rows.split('\n')) {
    if (!line.trim()) continue;
    const [frame, stream] = line.split('\t').map(Number);
    streamOf.set(frame, stream);
    if (!openings.has(stream)) openings.set(stream, []);
    if (opening.has(frame)) openings.get(stream)!.push(frame);
  }
  return { streamOf, openings };
}

async function decoded(path: string): Promise<SipPayload[]> {
  const messages: SipPayload[] = [];
  await decodeCaptures([path], { payload: (payload) => messages.push(payload) });
  return messages;
}

function reassembled(segments: TcpSegment[]): SipPayload[] {
  const messages: SipPayload[] = [];
  const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: () => undefined });
  for (const segment of segments) reassembler.segment(segment);
  reassembler.flush();
  return messages;
}

const sorted = (frames: readonly number[] | undefined) => [...(frames ?? [])].sort((a, b) => a - b);

describe('the frames that opened a message’s connection, as tshark sees them', () => {
  const captures = [
    ['SIP over WebSocket (IPv4)', publicCapture('sip_tcp_websocket.pcap')],
    ['SIP over TCP, several connections through a proxy', 'fixtures/captures/recorded/tcp.pcapng'],
    ['SIP over TCP on IPv6 (text flow keys)', 'fixtures/captures/recorded/ipv6.pcapng'],
  ];
  for (const [what, path] of captures) {
    it(`${what}: every message read from TCP carries its stream's handshake (and Upgrade/101)`, async () => {
      const { streamOf, openings } = tsharkOpenings(path);
      const messages = (await decoded(path)).filter((m) => m.transport === 'tcp' || m.transport === 'ws');
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        const expected = openings.get(streamOf.get(message.packetNumber)!);
        expect(expected!.length).toBeGreaterThanOrEqual(2);
        expect(sorted(message.opening), `message completed in frame ${message.packetNumber}`).toEqual(expected);
      }
    });
  }

  it('the WebSocket handshake: SYN, SYN-ACK, ACK, the GET with Upgrade and the 101 (frames 3, 4, 5, 6, 8)', () => {
    // the same capture read through the test's own segment reader (text flow keys)
    const messages = reassembled(readTcpSegments(publicCapture('sip_tcp_websocket.pcap')));
    const { openings } = tsharkOpenings(publicCapture('sip_tcp_websocket.pcap'));
    expect(openings.get(0)).toHaveLength(5);
    for (const message of messages) expect(sorted(message.opening)).toEqual(openings.get(0));
    // one array for the connection, shared by both directions' messages
    expect(new Set(messages.map((m) => m.opening)).size).toBe(1);
  });

  it('a capture that began after the handshake has no opening to give', () => {
    const segments = readTcpSegments(publicCapture('sip_tcp_websocket.pcap')).filter((s) => s.packetNumber > 9);
    const messages = reassembled(segments);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(message.opening).toEqual([]);
  });
});

const client = { ip: '192.0.2.1', port: 40000 };
const server = { ip: '192.0.2.2', port: 5060 };

function request(callId: string, method: string): string {
  return (
    `${method} sip:b@example.org SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK-${callId}-${method}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`
  );
}

/** A connection whose client sends `pieces` (each one segment) after the handshake, frames numbered from `first`. */
function connection(pieces: string[], first = 1, isn = { client: 100, server: 900 }): TcpSegment[] {
  let packetNumber = first;
  const base = { file: 'built', offset: 0 };
  const frame = (from: typeof client, to: typeof server, seq: number, ack: number, flags: number, payload = '') => ({
    ...base, packetNumber: packetNumber++, timeUs: packetNumber * 1000, src: from, dst: to, seq, ack, flags, payload: Buffer.from(payload, 'latin1'),
  });
  const segments: TcpSegment[] = [
    frame(client, server, isn.client, 0, TCP_SYN),
    frame(server, client, isn.server, isn.client + 1, TCP_SYN | TCP_ACK),
    frame(client, server, isn.client + 1, isn.server + 1, TCP_ACK),
  ];
  let seq = isn.client + 1;
  for (const piece of pieces) {
    segments.push(frame(client, server, seq, isn.server + 1, TCP_ACK | TCP_PSH, piece));
    seq += piece.length;
  }
  segments.push(frame(client, server, seq, isn.server + 1, TCP_ACK | TCP_FIN));
  return segments;
}

describe('the lead-in of a message whose first segment begins with the end of another', () => {
  const [a1, b1, a2, b2, a3] = [request('A', 'INVITE'), request('B', 'INVITE'), request('A', 'ACK'), request('B', 'ACK'), request('A', 'BYE')];

  it('is the earlier frames of the message that ends in its first frame, and so on back', () => {
    // frames 4: a1 + b1 head; 5: b1 middle; 6: b1 tail + a2 head; 7: a2 tail + b2 head; 8: b2 tail; 9: a3
    const stream = a1 + b1 + a2 + b2;
    const cuts = [a1.length + 20, a1.length + 60, a1.length + b1.length + 15, a1.length + b1.length + a2.length + 30, stream.length];
    const pieces = cuts.map((cut, i) => stream.slice(i === 0 ? 0 : cuts[i - 1], cut));
    const messages = reassembled(connection([...pieces, a3]));
    const byText = (text: string) => messages.find((m) => Buffer.from(m.bytes).toString('latin1') === text)!;
    expect(byText(a1).packets).toEqual([4]);
    expect(byText(a1).leadIn).toBeUndefined(); // frame 4 starts with it
    expect(byText(b1).packets).toEqual([4, 5, 6]);
    expect(byText(b1).leadIn).toBeUndefined(); // frame 4 starts with a1, wholly inside it
    expect(byText(a2).packets).toEqual([6, 7]);
    expect(sorted(byText(a2).leadIn)).toEqual([4, 5]); // frame 6 starts inside b1
    expect(byText(b2).packets).toEqual([7, 8]);
    expect(sorted(byText(b2).leadIn)).toEqual([4, 5, 6]); // frame 7 starts inside a2, frame 6 inside b1
    expect(byText(a3).leadIn).toBeUndefined(); // frame 9 starts with it
    for (const m of messages) expect(sorted(m.opening)).toEqual([1, 2, 3]);
  });

  it(`is bounded: at most ${MAX_LEAD_IN_FRAMES} frames, the nearest kept`, () => {
    // every segment boundary falls inside a message (segments one byte longer than a message, and a message longer
    // than the number of segments): each message's lead-in reaches back to the first segment
    const body = 'x'.repeat(400);
    const message = request('C', 'OPTIONS').replace('Content-Length: 0\r\n\r\n', `Content-Length: ${body.length}\r\n\r\n${body}`);
    const count = MAX_LEAD_IN_FRAMES + 20;
    const stream = message.repeat(count);
    const step = message.length + 1; // one byte more than a message: each cut lands one byte further in
    const pieces: string[] = [];
    for (let at = 0; at < stream.length; at += step) pieces.push(stream.slice(at, at + step));
    const messages = reassembled(connection(pieces));
    expect(messages).toHaveLength(count);
    const last = messages[messages.length - 1];
    expect(last.leadIn).toHaveLength(MAX_LEAD_IN_FRAMES);
    expect(Math.max(...last.leadIn!)).toBe(last.packets[0] - 1);
  });

  it('a new connection on the same ports (a new SYN) gets its own opening, not the old one’s', () => {
    const first = connection([a1]);
    const second = connection([b1], first.length + 1, { client: 7000, server: 8000 });
    const messages = reassembled([...first, ...second]);
    expect(messages.map((m) => sorted(m.opening))).toEqual([
      [1, 2, 3],
      [first.length + 1, first.length + 2, first.length + 3],
    ]);
  });
});

describe('flow keys', () => {
  it('the reverse of a compact IPv4 key is the key of the other direction, and so for text keys', () => {
    const addresses = Uint8Array.from([192, 0, 2, 1, 198, 51, 100, 7]);
    const forward = ipv4FlowKey(addresses, 0, 4, 40000, 5060);
    const backward = ipv4FlowKey(addresses, 4, 0, 5060, 40000);
    expect(forward).not.toBe(backward);
    const src = { ip: '192.0.2.1', port: 40000 };
    const dst = { ip: '198.51.100.7', port: 5060 };
    expect(reverseFlowKey(forward, src, dst)).toBe(backward);
    expect(reverseFlowKey(backward, dst, src)).toBe(forward);
    const v6 = { ip: '2001:db8::1', port: 5060 };
    expect(reverseFlowKey(textFlowKey(v6, src), v6, src)).toBe(textFlowKey(src, v6));
  });
});
