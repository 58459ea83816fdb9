#!/usr/bin/env node
/**
 * Makes a large capture for bench/decode.mjs by replicating real captures: the SIP-over-UDP packets of
 * fixtures/captures/public/sngrep/aaa.pcap and fixtures/captures/recorded/revocation-udp.pcap (Kamailio + SIPp),
 * and every TCP packet (SYN, ACKs, SIP segments) of fixtures/captures/recorded/revocation-tcp.pcap and
 * fixtures/captures/public/heplify/sip_ipv4_tcp_fragmented.pcap (SIP on port 6060, messages split across segments).
 * Each replica is shifted in time and rewritten in place, same lengths: Call-ID values and Via branches get a
 * replica tag in their first characters (so calls are distinct), TCP client ports and sequence numbers are moved
 * (so TCP connections are distinct and never look like retransmissions of each other).
 * Output: classic pcap, Ethernet, microseconds. Usage: node bench/make-capture.mjs [--size 220] [--out FILE|-]
 * With `--out -` (or /dev/stdout) the capture goes to stdout and the closing summary line to stderr, so that a
 * reader of the pipe gets nothing but the capture.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { size: { type: 'string', default: '220' }, out: { type: 'string' } } });
const targetBytes = Number(options.size) * 1024 * 1024;
const toStdout = options.out === '-' || options.out === '/dev/stdout';
const out = toStdout ? '/dev/stdout' : (options.out ?? path.join(root, 'bench', 'data', `replicated-${options.size}MB.pcap`));

const SOURCES = [
  { file: 'fixtures/captures/public/sngrep/aaa.pcap', keep: 'udp-sip' },
  { file: 'fixtures/captures/recorded/revocation-udp.pcap', keep: 'udp-sip' },
  { file: 'fixtures/captures/recorded/revocation-tcp.pcap', keep: 'tcp' },
  { file: 'fixtures/captures/public/heplify/sip_ipv4_tcp_fragmented.pcap', keep: 'tcp' },
];

const SIP_START = /^(?:SIP\/2\.0 \d{3} |[A-Z]+ \S+ SIP\/2\.0\r?$)/m;

/** Packets of one classic-pcap Ethernet capture: { timeUs, bytes } (the frame), keeping what `keep` selects. */
function readSource({ file, keep }) {
  const data = readFileSync(path.join(root, file));
  const little = data.readUInt32LE(0) === 0xa1b2c3d4 || data.readUInt32LE(0) === 0xa1b23c4d;
  const nano = data.readUInt32LE(0) === 0xa1b23c4d || data.readUInt32BE(0) === 0xa1b23c4d;
  const u32 = (at) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  if (u32(20) !== 1) throw new Error(`${file}: link type ${u32(20)}, expected Ethernet`);
  const packets = [];
  for (let at = 24; at + 16 <= data.length; ) {
    const timeUs = u32(at) * 1e6 + (nano ? Math.floor(u32(at + 4) / 1000) : u32(at + 4));
    const length = u32(at + 8);
    const frame = data.subarray(at + 16, at + 16 + length);
    at += 16 + length;
    const ip = layers(frame);
    if (!ip) continue;
    if (keep === 'tcp' && ip.protocol === 6) packets.push({ timeUs, frame, ...ip });
    if (keep === 'udp-sip' && ip.protocol === 17 && SIP_START.test(frame.subarray(ip.payloadAt, ip.payloadAt + 200).toString('latin1').split('\n')[0] + '\n')) {
      packets.push({ timeUs, frame, ...ip });
    }
  }
  const first = packets[0]?.timeUs ?? 0;
  for (const p of packets) p.timeUs -= first;
  return packets;
}

/** IPv4 over Ethernet (+VLAN), unfragmented: where the transport header and its payload start. */
function layers(frame) {
  let at = 14;
  let type = frame.readUInt16BE(12);
  while (type === 0x8100) {
    type = frame.readUInt16BE(at + 2);
    at += 4;
  }
  if (type !== 0x0800) return undefined;
  const flags = frame.readUInt16BE(at + 6);
  if (flags & 0x3fff) return undefined; // a fragment (MF or offset): not replicated
  const protocol = frame[at + 9];
  const l4 = at + (frame[at] & 0x0f) * 4;
  const payloadAt = protocol === 6 ? l4 + (frame[l4 + 12] >> 4) * 4 : l4 + 8;
  return { protocol, l4, payloadAt };
}

/** Offsets (in the frame) of the characters to tag: the first up-to-6 of each Call-ID value and branch value. */
function tagSpots(frame, payloadAt) {
  const text = frame.toString('latin1', payloadAt);
  const spots = [];
  for (const match of text.matchAll(/(?:^|\n)(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)/gi)) {
    const valueAt = match.index + match[0].length - match[1].length;
    spots.push({ at: payloadAt + valueAt, length: Math.min(6, match[1].length) });
  }
  for (const match of text.matchAll(/;branch=(?:z9hG4bK)?([^;,\s\r\n]+)/g)) {
    const valueAt = match.index + match[0].length - match[1].length;
    spots.push({ at: payloadAt + valueAt, length: Math.min(6, match[1].length) });
  }
  return spots;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
function replicaTag(replica, length) {
  let tag = '';
  let n = replica;
  for (let i = 0; i < length; i++) {
    tag = ALPHABET[n % 36] + tag;
    n = Math.floor(n / 36);
  }
  return Buffer.from(tag, 'latin1');
}

// Template: all sources merged by their relative time.
const template = SOURCES.flatMap((source) => readSource(source)).sort((a, b) => a.timeUs - b.timeUs);
for (const p of template) p.spots = tagSpots(p.frame, p.payloadAt);
const spanUs = template[template.length - 1].timeUs + 1_000_000;
const templateBytes = template.reduce((sum, p) => sum + 16 + p.frame.length, 0);
const replicas = Math.max(1, Math.ceil(targetBytes / templateBytes));
if (replicas > 36 ** 4) throw new Error('size too large for the replica tag');

if (!toStdout) mkdirSync(path.dirname(out), { recursive: true });
const fd = openSync(out, 'w');
const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(262144, 16);
header.writeUInt32LE(1, 20);
writeSync(fd, header);

const startUs = Date.UTC(2026, 0, 1) * 1000;
const chunk = Buffer.alloc(8 * 1024 * 1024);
let used = 0;
let packets = 0;
const flush = () => {
  writeSync(fd, chunk, 0, used);
  used = 0;
};
for (let replica = 0; replica < replicas; replica++) {
  const tag = replicaTag(replica, 6);
  for (const p of template) {
    const length = p.frame.length;
    if (used + 16 + length > chunk.length) flush();
    const timeUs = startUs + replica * spanUs + p.timeUs;
    chunk.writeUInt32LE(Math.floor(timeUs / 1e6), used);
    chunk.writeUInt32LE(timeUs % 1e6, used + 4);
    chunk.writeUInt32LE(length, used + 8);
    chunk.writeUInt32LE(length, used + 12);
    const frameAt = used + 16;
    p.frame.copy(chunk, frameAt);
    for (const spot of p.spots) tag.copy(chunk, frameAt + spot.at, 6 - spot.length, 6);
    if (p.protocol === 6) {
      // the ephemeral (higher) port moves per replica; sequence and acknowledgement numbers shift alike
      const portsAt = frameAt + p.l4;
      const src = chunk.readUInt16BE(portsAt);
      const dst = chunk.readUInt16BE(portsAt + 2);
      const moved = (port) => 10000 + ((port - 10000 + replica * 7) % 55000 + 55000) % 55000;
      if (src > dst) chunk.writeUInt16BE(moved(src), portsAt);
      else chunk.writeUInt16BE(moved(dst), portsAt + 2);
      const shift = (replica * 104729) >>> 0;
      chunk.writeUInt32BE((chunk.readUInt32BE(portsAt + 4) + shift) >>> 0, portsAt + 4);
      chunk.writeUInt32BE((chunk.readUInt32BE(portsAt + 8) + shift) >>> 0, portsAt + 8);
    }
    used += 16 + length;
    packets++;
  }
}
flush();
closeSync(fd);
const bytes = 24 + replicas * templateBytes;
(toStdout ? console.error : console.log)(JSON.stringify({ file: out, bytes, packets, replicas, templatePackets: template.length }));
