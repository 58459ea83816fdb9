/**
 * HEP3 chunks (HEP3 rev12 spec: "HEP3" or "EEP1", total length, then TLV chunks of vendor, type, length, all in
 * network byte order) read into fields. The length of each chunk whose type fixes its size is checked: a chunk of
 * the wrong size is reported and its value ignored (a 1-byte port is not port 0). A compressed payload (0x0010,
 * gzip or zlib) is inflated, bounded. The authentication key chunk (0x000e) is a secret and is never read.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { ipv4Text, ipv6Text } from './ip-address.js';

export interface HepFields {
  family?: number;
  protocol?: number;
  srcIp?: string;
  dstIp?: string;
  srcPort?: number;
  dstPort?: number;
  seconds?: number;
  microseconds?: number;
  protocolType?: number;
  payload?: Uint8Array;
  /** First chunk that was present but unusable (wrong size, compressed payload that does not inflate). */
  badChunk?: string;
}

/** A HEP3 packet that cannot be read at all. */
export interface HepProblem {
  code: 'hep-bad-length' | 'hep-bad-chunk';
  message: string;
}

/** Largest payload a compressed chunk may inflate to (a HEP3 packet is at most 65,535 bytes; SIP far less). */
export const MAX_INFLATED_PAYLOAD_BYTES = 1024 * 1024;
/** Bytes of the HEP3 header: magic and total length. */
export const HEP3_HEADER_BYTES = 6;

const CHUNK_HEADER_BYTES = 6;
const CHUNK_PAYLOAD = 0x000f;
const CHUNK_COMPRESSED_PAYLOAD = 0x0010;

/** Chunks of a fixed size (spec: uint8, uint16, uint32, inet4/6 address): name, size, where the value goes. */
const FIXED_CHUNKS = new Map<number, { name: string; size: number; read: (b: Uint8Array, at: number, f: HepFields) => void }>([
  [0x0001, { name: 'IP family', size: 1, read: (b, at, f) => (f.family = b[at]) }],
  [0x0002, { name: 'IP protocol', size: 1, read: (b, at, f) => (f.protocol = b[at]) }],
  [0x0003, { name: 'IPv4 source address', size: 4, read: (b, at, f) => (f.srcIp = ipv4Text(b, at)) }],
  [0x0004, { name: 'IPv4 destination address', size: 4, read: (b, at, f) => (f.dstIp = ipv4Text(b, at)) }],
  [0x0005, { name: 'IPv6 source address', size: 16, read: (b, at, f) => (f.srcIp = ipv6Text(b, at)) }],
  [0x0006, { name: 'IPv6 destination address', size: 16, read: (b, at, f) => (f.dstIp = ipv6Text(b, at)) }],
  [0x0007, { name: 'source port', size: 2, read: (b, at, f) => (f.srcPort = readUint16(b, at)) }],
  [0x0008, { name: 'destination port', size: 2, read: (b, at, f) => (f.dstPort = readUint16(b, at)) }],
  [0x0009, { name: 'timestamp seconds', size: 4, read: (b, at, f) => (f.seconds = readUint32(b, at)) }],
  [0x000a, { name: 'timestamp microseconds', size: 4, read: (b, at, f) => (f.microseconds = readUint32(b, at)) }],
  [0x000b, { name: 'protocol type', size: 1, read: (b, at, f) => (f.protocolType = b[at]) }],
]);

export const readUint16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
export const readUint32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** "HEP3" or its predecessor name "EEP1" at `at`. */
export function isHep3Magic(b: Uint8Array, at = 0): boolean {
  return (b[at] === 0x48 || b[at] === 0x45) && b[at + 1] === 0x45 && b[at + 2] === 0x50 && ((b[at] === 0x48 && b[at + 3] === 0x33) || (b[at] === 0x45 && b[at + 3] === 0x31));
}

/** Reads the HEP3 packet that is exactly `packet` (a UDP payload, or one packet cut from a TCP stream). */
export function readHep3(packet: Uint8Array, fields: HepFields): HepProblem | undefined {
  const total = readUint16(packet, 4);
  if (total !== packet.length) {
    return { code: 'hep-bad-length', message: `HEP3 total length ${total} does not match the ${packet.length}-byte packet` };
  }
  let compressed: Uint8Array | undefined;
  let at = HEP3_HEADER_BYTES;
  while (at < total) {
    if (total - at < CHUNK_HEADER_BYTES) return { code: 'hep-bad-chunk', message: `HEP3 chunk at byte ${at} is cut short (${total - at} bytes left)` };
    const vendor = readUint16(packet, at);
    const type = readUint16(packet, at + 2);
    const length = readUint16(packet, at + 4);
    if (length < CHUNK_HEADER_BYTES || at + length > total) return { code: 'hep-bad-chunk', message: `HEP3 chunk 0x${type.toString(16)} at byte ${at} claims ${length} bytes` };
    const data = at + CHUNK_HEADER_BYTES;
    const size = length - CHUNK_HEADER_BYTES;
    if (vendor === 0) {
      const fixed = FIXED_CHUNKS.get(type);
      if (fixed !== undefined) {
        if (size === fixed.size) fixed.read(packet, data, fields);
        else fields.badChunk ??= `HEP3 ${fixed.name} chunk (0x${type.toString(16).padStart(4, '0')}) holds ${size} bytes, ${fixed.size} expected; its value is ignored`;
      } else if (type === CHUNK_PAYLOAD) {
        fields.payload = packet.subarray(data, at + length);
      } else if (type === CHUNK_COMPRESSED_PAYLOAD) {
        compressed = packet.subarray(data, at + length);
      }
      // 0x000c capture id, 0x000d keep-alive, 0x000e auth key (secret), 0x0011 correlation id: not needed
    }
    at += length;
  }
  if (fields.payload === undefined && compressed !== undefined) fields.payload = inflate(compressed, fields);
  return undefined;
}

/** The compressed payload chunk inflated: gzip (RFC 1952) as heplify/captagent send it, or zlib (RFC 1950). */
function inflate(compressed: Uint8Array, fields: HepFields): Uint8Array | undefined {
  try {
    const options = { maxOutputLength: MAX_INFLATED_PAYLOAD_BYTES };
    return compressed[0] === 0x1f && compressed[1] === 0x8b ? gunzipSync(compressed, options) : inflateSync(compressed, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fields.badChunk ??= `HEP3 compressed payload chunk (0x0010) does not inflate: ${reason}`;
    return undefined;
  }
}
