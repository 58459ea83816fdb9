/**
 * HEP (Homer Encapsulation Protocol) as sent by capture agents (Kamailio siptrace, heplify, captagent):
 * a SIP message copied with the addresses, ports, transport and time of the original packet.
 * HEP3: "HEP3" (or "EEP1") + total length + TLV chunks, all in network byte order (HEP3 rev12 spec, chunk types
 * 0x0001..0x0011). HEP1/HEP2: fixed header (version, header length, family, protocol, ports, addresses); HEP2
 * adds seconds and microseconds in little-endian order (Kamailio's `to_le`) and a capture id before the payload.
 * The authentication key chunk (0x000e) is a secret and is never read out.
 */
import { frameMessage } from '../sip/framing.js';
import { sipStartLineAt, START_LINE_YES } from './tcp-start-line.js';
import type { CaptureTransport, DecodeIssue, Endpoint, SipPayload } from './types.js';
import { ipv4Text, ipv6Text } from './ip-address.js';
import { IPPROTO_SCTP, IPPROTO_TCP } from './protocol-numbers.js';

export interface HepMeta {
  file: string;
  packetNumber: number;
  timeUs: number;
  offset: number;
}

export interface HepSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

const AF_INET = 2;
const AF_INET6 = 10;
/** HEP3 protocol type (chunk 0x000b) of SIP; other types (RTCP, logs, QoS reports) are not SIP messages. */
const HEP_PROTOCOL_SIP = 1;

interface HepFields {
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
}

const readUint16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const readUint32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const readUint32Le = (b: Uint8Array, at: number) => ((b[at + 3] << 24) | (b[at + 2] << 16) | (b[at + 1] << 8) | b[at]) >>> 0;

function isHep3Magic(b: Uint8Array): boolean {
  // "HEP3" or its predecessor name "EEP1"
  return (b[0] === 0x48 && b[1] === 0x45 && b[2] === 0x50 && b[3] === 0x33) || (b[0] === 0x45 && b[1] === 0x45 && b[2] === 0x50 && b[3] === 0x31);
}

/** HEP3 chunks (vendor 0) into fields; returns an error text when the chunk structure is broken. */
function readHep3(payload: Uint8Array, fields: HepFields): string | undefined {
  const total = readUint16(payload, 4);
  if (total < 6 || total > payload.length) return `HEP3 total length ${total} does not fit the ${payload.length}-byte payload`;
  let at = 6;
  while (at + 6 <= total) {
    const vendor = readUint16(payload, at);
    const type = readUint16(payload, at + 2);
    const length = readUint16(payload, at + 4);
    if (length < 6 || at + length > total) return `HEP3 chunk 0x${type.toString(16)} at byte ${at} claims ${length} bytes`;
    const data = at + 6;
    const size = length - 6;
    if (vendor === 0) {
      if (type === 0x0001 && size >= 1) fields.family = payload[data];
      else if (type === 0x0002 && size >= 1) fields.protocol = payload[data];
      else if (type === 0x0003 && size >= 4) fields.srcIp = ipv4Text(payload, data);
      else if (type === 0x0004 && size >= 4) fields.dstIp = ipv4Text(payload, data);
      else if (type === 0x0005 && size >= 16) fields.srcIp = ipv6Text(payload, data);
      else if (type === 0x0006 && size >= 16) fields.dstIp = ipv6Text(payload, data);
      else if (type === 0x0007 && size >= 2) fields.srcPort = readUint16(payload, data);
      else if (type === 0x0008 && size >= 2) fields.dstPort = readUint16(payload, data);
      else if (type === 0x0009 && size >= 4) fields.seconds = readUint32(payload, data);
      else if (type === 0x000a && size >= 4) fields.microseconds = readUint32(payload, data);
      else if (type === 0x000b && size >= 1) fields.protocolType = payload[data];
      else if (type === 0x000f) fields.payload = payload.subarray(data, at + length);
      // 0x000c capture id, 0x000d keep-alive, 0x000e auth key (secret), 0x0010 compressed, 0x0011 correlation id: not needed
    }
    at += length;
  }
  return undefined;
}

/** HEP1/HEP2 fixed header; false when the bytes do not look like one. */
function readHep2(payload: Uint8Array, fields: HepFields): boolean {
  const version = payload[0];
  const headerLength = payload[1];
  const family = payload[2];
  const addressLength = family === AF_INET ? 4 : family === AF_INET6 ? 16 : 0;
  if ((version !== 1 && version !== 2) || addressLength === 0 || headerLength !== 8 + 2 * addressLength) return false;
  const timeLength = version === 2 ? 12 : 0;
  if (payload.length < headerLength + timeLength) return false;
  fields.family = family;
  fields.protocol = payload[3];
  fields.srcPort = readUint16(payload, 4);
  fields.dstPort = readUint16(payload, 6);
  const text = family === AF_INET ? ipv4Text : ipv6Text;
  fields.srcIp = text(payload, 8);
  fields.dstIp = text(payload, 8 + addressLength);
  if (version === 2) {
    fields.seconds = readUint32Le(payload, headerLength);
    fields.microseconds = readUint32Le(payload, headerLength + 4);
  }
  fields.protocolType = HEP_PROTOCOL_SIP;
  fields.payload = payload.subarray(headerLength + timeLength);
  return true;
}

function transportOf(protocol: number | undefined): CaptureTransport {
  if (protocol === IPPROTO_TCP) return 'tcp';
  if (protocol === IPPROTO_SCTP) return 'sctp';
  return 'udp';
}

/**
 * Decodes `payload` (a UDP or TCP payload) as HEP. Returns false when it is not HEP (the caller goes on to read
 * it as SIP); true when it was HEP, whether or not it carried a SIP message. Emits each SIP message inside with
 * the encapsulated addresses, ports, transport and time, `hep: true`.
 */
export function decodeHep(payload: Uint8Array, meta: HepMeta, sink: HepSink): boolean {
  if (payload.length < 6) return false;
  const fields: HepFields = {};
  const issue = (code: string, what: string) =>
    sink.issue({ code, message: `${what} (HEP, packet ${meta.packetNumber})`, file: meta.file, packetNumber: meta.packetNumber, offset: meta.offset });
  if (isHep3Magic(payload)) {
    const problem = readHep3(payload, fields);
    if (problem) {
      issue('hep-bad-chunk', problem);
      return true;
    }
  } else if (!readHep2(payload, fields)) {
    return false;
  }
  const inner = fields.payload;
  if (!inner || inner.length === 0 || (fields.protocolType !== undefined && fields.protocolType !== HEP_PROTOCOL_SIP)) return true;
  if (sipStartLineAt(inner, 0, inner.length) !== START_LINE_YES) {
    issue('hep-not-sip', 'HEP payload of protocol type SIP does not start with a SIP start line');
    return true;
  }
  const src: Endpoint = { ip: fields.srcIp ?? '', port: fields.srcPort ?? 0 };
  const dst: Endpoint = { ip: fields.dstIp ?? '', port: fields.dstPort ?? 0 };
  const timeUs = fields.seconds !== undefined ? fields.seconds * 1e6 + (fields.microseconds ?? 0) : meta.timeUs;
  const transport = transportOf(fields.protocol);
  const emit = (bytes: Uint8Array) =>
    sink.message({ file: meta.file, packetNumber: meta.packetNumber, packets: [meta.packetNumber], timeUs, src, dst, transport, hep: true, bytes });
  if (transport === 'udp') {
    emit(inner.slice());
    return true;
  }
  // A stream transport's payload may hold several messages back to back (RFC 3261 §18.3 framing).
  let at = 0;
  while (at < inner.length) {
    const frame = frameMessage(inner, at);
    if (frame.kind !== 'message') {
      const rest = at + frame.start;
      if (rest < inner.length) emit(inner.slice(rest));
      break;
    }
    emit(inner.slice(at + frame.start, at + frame.start + frame.length));
    at += frame.start + frame.length;
  }
  return true;
}
