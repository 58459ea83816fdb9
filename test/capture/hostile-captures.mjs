/**
 * Builders of hostile captures (issue 14), shared by the fuzz tests (test/capture/hostile.test.ts) and the timing
 * benchmark (bench/hostile-captures.mjs); plain JavaScript so that the benchmark runs them without a build.
 * Every capture is a classic pcap (Ethernet, microseconds) that tshark reads.
 */
import { gzipSync } from 'node:zlib';

const T0 = 1_700_000_000;

/** Classic pcap of Ethernet frames; frame i is captured at T0 + i ms. */
export function pcap(frames) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const parts = [header];
  frames.forEach((frame, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(T0 + Math.floor(i / 1000), 0);
    record.writeUInt32LE((i % 1000) * 1000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    parts.push(record, frame);
  });
  return Buffer.concat(parts);
}

export function ethernet(network, etherType = 0x0800) {
  const header = Buffer.from('020000000002020000000001' + etherType.toString(16).padStart(4, '0'), 'hex');
  return Buffer.concat([header, network]);
}

/** IPv4 header (RFC 791) with its checksum, so that tshark finds nothing wrong but what the test means. */
export function ipv4(payload, { src = '192.0.2.1', dst = '192.0.2.2', protocol = 17, id = 1, fragmentOffset = 0, moreFragments = false } = {}) {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header.writeUInt16BE(id, 4);
  header.writeUInt16BE(((moreFragments ? 1 : 0) << 13) | (fragmentOffset / 8), 6);
  header[8] = 64;
  header[9] = protocol;
  Buffer.from(src.split('.').map(Number)).copy(header, 12);
  Buffer.from(dst.split('.').map(Number)).copy(header, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  header.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([header, payload]);
}

/** IPv6 header (RFC 8200) followed by a fragment header (§4.5). */
export function ipv6Fragment(payload, { nextHeader = 17, id = 1, fragmentOffset = 0, moreFragments = false } = {}) {
  const header = Buffer.alloc(48);
  header[0] = 0x60;
  header.writeUInt16BE(8 + payload.length, 4);
  header[6] = 44;
  header[7] = 64;
  Buffer.from('20010db8000000000000000000000001', 'hex').copy(header, 8);
  Buffer.from('20010db8000000000000000000000002', 'hex').copy(header, 24);
  header[40] = nextHeader;
  header.writeUInt16BE(fragmentOffset | (moreFragments ? 1 : 0), 42);
  header.writeUInt32BE(id, 44);
  return Buffer.concat([header, payload]);
}

export function udp(payload, srcPort = 5060, dstPort = 5060) {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([header, payload]);
}

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_PSH = 8;
export const TCP_ACK = 16;

export function tcp(payload, { srcPort = 40000, dstPort = 5060, seq = 0, ack = 0, flags = TCP_ACK | TCP_PSH } = {}) {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt32BE(seq >>> 0, 4);
  header.writeUInt32BE(ack >>> 0, 8);
  header[12] = 5 << 4;
  header[13] = flags;
  header.writeUInt16BE(65535, 14);
  return Buffer.concat([header, payload]);
}

/**
 * One TCP connection from 192.0.2.1:40000 to 192.0.2.2:`port`: the handshake, then each payload in `payloads` as one
 * client segment (each acknowledged by the server), so that tshark's reassembly sees a clean stream.
 */
export function tcpConversation(payloads, port = 5060) {
  const client = { src: '192.0.2.1', dst: '192.0.2.2', protocol: 6 };
  const server = { src: '192.0.2.2', dst: '192.0.2.1', protocol: 6 };
  const clientIsn = 1000;
  const serverIsn = 5000;
  const frames = [
    ethernet(ipv4(tcp(Buffer.alloc(0), { dstPort: port, seq: clientIsn, flags: TCP_SYN }), client)),
    ethernet(ipv4(tcp(Buffer.alloc(0), { srcPort: port, dstPort: 40000, seq: serverIsn, ack: clientIsn + 1, flags: TCP_SYN | TCP_ACK }), server)),
    ethernet(ipv4(tcp(Buffer.alloc(0), { dstPort: port, seq: clientIsn + 1, ack: serverIsn + 1, flags: TCP_ACK }), client)),
  ];
  let seq = clientIsn + 1;
  for (const payload of payloads) {
    frames.push(ethernet(ipv4(tcp(payload, { dstPort: port, seq, ack: serverIsn + 1 }), client)));
    seq += payload.length;
    frames.push(ethernet(ipv4(tcp(Buffer.alloc(0), { srcPort: port, dstPort: 40000, seq: serverIsn + 1, ack: seq, flags: TCP_ACK }), server)));
  }
  return frames;
}

export function sipMessage(method, callId, { contentLength, body = '', transport = 'TCP' } = {}) {
  return Buffer.from(
    `${method} sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/${transport} 192.0.2.1:40000;branch=z9hG4bK-${callId}-${method}\r\n` +
      `From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\n` +
      `Max-Forwards: 70\r\nContent-Length: ${contentLength ?? Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** An INVITE claiming `contentLength` body bytes that never come, then a BYE on the same TCP flow. */
export function hugeContentLength(contentLength) {
  return pcap(tcpConversation([sipMessage('INVITE', 'huge-cl', { contentLength }), sipMessage('BYE', 'after-huge-cl')]));
}

/**
 * `count` overlapping IPv4 (or IPv6) fragments of one UDP datagram that never completes: the last fragment
 * (more-fragments clear) first, then fragments of 48 bytes at offsets stepping by 8 bytes, wrapping below the end,
 * never at offset 0 (the worst case of the old reassembly: each fragment was checked against every one held).
 */
export function fragmentFlood(count, version = 4) {
  const frames = [];
  const datagramEnd = 64000;
  const piece = Buffer.alloc(48, 0x61);
  const fragment = (at, more, bytes) =>
    version === 4
      ? ethernet(ipv4(bytes, { id: 4242, fragmentOffset: at, moreFragments: more }))
      : ethernet(ipv6Fragment(bytes, { id: 4242, fragmentOffset: at, moreFragments: more }), 0x86dd);
  frames.push(fragment(datagramEnd - 8, false, Buffer.alloc(8, 0x62)));
  for (let i = 1; i < count; i++) frames.push(fragment(8 + ((i * 8) % (datagramEnd - 64)), true, piece));
  return pcap(frames);
}

/** `count` TCP segments of one flow, all ahead of a hole that never fills, arriving in descending order. */
export function tcpOutOfOrder(count) {
  const client = { src: '192.0.2.1', dst: '192.0.2.2', protocol: 6 };
  const frames = [ethernet(ipv4(tcp(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n'), { seq: 1000 }), client))];
  const segment = Buffer.alloc(40, 0x78);
  for (let i = count - 1; i >= 1; i--) frames.push(ethernet(ipv4(tcp(segment, { seq: 100_000 + i * 40 }), client)));
  return pcap(frames);
}

/**
 * A TCP flow damaged at its start (an INVITE whose Content-Length is not a number), then `count` one-byte segments
 * of start lines that never end ("INVITE sip:uuu..." with a 2,000-byte URI, repeated): every segment start is a
 * place the resync must look at, each line one it must keep while it may still become a start line. A BYE in its own
 * segment ends the flow; it must be read.
 */
export function tcpResyncTinySegments(count) {
  const damaged = Buffer.from(sipMessage('INVITE', 'damaged').toString('latin1').replace('Content-Length: 0', 'Content-Length: x'), 'latin1');
  const line = `INVITE sip:${'u'.repeat(2000)} SIP/2.0x\r\n`;
  const text = line.repeat(Math.ceil(count / line.length)).slice(0, count);
  const segments = [damaged];
  for (let i = 0; i < count; i++) segments.push(Buffer.from(text[i], 'latin1'));
  segments.push(sipMessage('BYE', 'after-damage'));
  return pcap(tcpConversation(segments));
}

/** `count` SCTP DATA fragments of one user message that never ends: BEGIN first, then middles in reverse TSN order. */
export function sctpFragments(count) {
  const frames = [];
  const data = Buffer.alloc(32, 0x79);
  const chunk = (tsn, flags) => {
    const header = Buffer.alloc(16);
    header[0] = 0; // DATA
    header[1] = flags;
    header.writeUInt16BE(16 + data.length, 2);
    header.writeUInt32BE(tsn >>> 0, 4);
    return Buffer.concat([header, data]);
  };
  const packet = (body) => Buffer.concat([Buffer.from([0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 7, 0, 0, 0, 0]), body]);
  frames.push(ethernet(ipv4(packet(chunk(1, 0x02)), { protocol: 132 })));
  for (let i = count - 1; i >= 1; i--) frames.push(ethernet(ipv4(packet(chunk(1 + i * 2, 0)), { protocol: 132 })));
  return pcap(frames);
}

/** HEP3 chunk (vendor 0): type, then the data. */
export function hepChunk(type, data) {
  const header = Buffer.alloc(6);
  header.writeUInt16BE(type, 2);
  header.writeUInt16BE(6 + data.length, 4);
  return Buffer.concat([header, data]);
}

/** A HEP3 packet from its chunks; `totalLength` overrides the length field. */
export function hep3(chunks, totalLength) {
  const body = Buffer.concat(chunks);
  const header = Buffer.from('HEP3\0\0');
  header.writeUInt16BE(totalLength ?? body.length + 6, 4);
  return Buffer.concat([header, body]);
}

const u8 = (n) => Buffer.from([n]);
const u16 = (n) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n) => Buffer.from([(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

/** The chunks of a HEP3 copy of a SIP message over UDP 10.0.0.1:5060 -> 10.0.0.2:5060 (heplify's layout). */
export function hepSipChunks(sip, { srcPort = u16(5060), payloadChunk } = {}) {
  return [
    hepChunk(0x0001, u8(2)),
    hepChunk(0x0002, u8(17)),
    hepChunk(0x0003, Buffer.from([10, 0, 0, 1])),
    hepChunk(0x0004, Buffer.from([10, 0, 0, 2])),
    hepChunk(0x0007, srcPort),
    hepChunk(0x0008, u16(5060)),
    hepChunk(0x0009, u32(T0)),
    hepChunk(0x000a, u32(0)),
    hepChunk(0x000b, u8(1)),
    hepChunk(0x000c, u32(2001)),
    payloadChunk ?? hepChunk(0x000f, sip),
  ];
}

/** HEP over UDP to port 9060 (one datagram per HEP packet). */
export function hepOverUdp(packets) {
  return pcap(packets.map((hep) => ethernet(ipv4(udp(hep, 40001, 9060), { src: '192.0.2.9', dst: '192.0.2.10' }))));
}

/** HEP over TCP to port 9060 (heplify's `-hs host:9060 -nt tcp`): the packets back to back in the stream, `split` per segment. */
export function hepOverTcp(packets, segmentBytes = 0) {
  const stream = Buffer.concat(packets);
  const payloads = [];
  if (segmentBytes <= 0) payloads.push(...packets);
  else for (let at = 0; at < stream.length; at += segmentBytes) payloads.push(stream.subarray(at, at + segmentBytes));
  return pcap(tcpConversation(payloads, 9060));
}

/** The four HEP problems of issue 14 and what must come of each. */
export function hepProblems() {
  const sip = (callId) => sipMessage('OPTIONS', callId, { transport: 'UDP' });
  return {
    totalLengthSeven: hep3(hepSipChunks(sip('hep-len7')), 7),
    onePortByte: hep3(hepSipChunks(sip('hep-port1'), { srcPort: u8(0x13) })),
    gzipPayload: hep3(hepSipChunks(sip('hep-gzip'), { payloadChunk: hepChunk(0x0010, gzipSync(sip('hep-gzip'))) })),
    valid: (callId) => hep3(hepSipChunks(sip(callId))),
  };
}
