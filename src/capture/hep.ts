/**
 * HEP (Homer Encapsulation Protocol) as sent by capture agents (Kamailio siptrace, heplify, captagent):
 * a SIP message copied with the addresses, ports, transport and time of the original packet.
 * HEP3: "HEP3" (or "EEP1") + total length + TLV chunks, all in network byte order (HEP3 rev12 spec, chunk types
 * 0x0001..0x0011; read by hep-chunks.ts), over UDP or TCP (framed by the total length, tcp-hep.ts). HEP1/HEP2: fixed header (version, header length, family, protocol, ports, addresses); HEP2
 * adds seconds and microseconds in little-endian order (Kamailio's `to_le`) and a capture id before the payload.
 */
import { frameMessage } from '../sip/framing.js';
import { HEP3_HEADER_BYTES, isHep3Magic, readHep3, readUint16, type HepFields } from './hep-chunks.js';
import { ipv4Text, ipv6Text } from './ip-address.js';
import { AF_INET, AF_INET6_LINUX as AF_INET6, IPPROTO_SCTP, IPPROTO_TCP } from './protocol-numbers.js';
import { isSipPayload } from './sip-datagram-payload.js';
import type { CaptureTransport, DecodeIssue, Endpoint, FrameMeta, SipPayload } from './types.js';

export type HepMeta = FrameMeta;

/** For a HEP packet read from a TCP stream: the frames that opened the connection and its lead-in (SipPayload). */
export type StreamFrames = Pick<SipPayload, 'opening' | 'leadIn'>;

export interface HepSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

/** HEP3 protocol type (chunk 0x000b) of SIP; other types (RTCP, logs, QoS reports) are not SIP messages. */
const HEP_PROTOCOL_SIP = 1;

const readUint32Le = (b: Uint8Array, at: number) => ((b[at + 3] << 24) | (b[at + 2] << 16) | (b[at + 1] << 8) | b[at]) >>> 0;

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

/** Which address or port the packet did not give (reported: the message would say 0 or nothing there). */
function missingEndpoint(fields: HepFields): string | undefined {
  if (fields.srcIp === undefined) return 'source address';
  if (fields.dstIp === undefined) return 'destination address';
  if (fields.srcPort === undefined) return 'source port';
  if (fields.dstPort === undefined) return 'destination port';
  return undefined;
}

function transportOf(protocol: number | undefined): CaptureTransport {
  if (protocol === IPPROTO_TCP) return 'tcp';
  if (protocol === IPPROTO_SCTP) return 'sctp';
  return 'udp';
}

/**
 * Decodes `payload` (a UDP payload, or one HEP packet cut from a TCP stream) as HEP. Returns false when it is not
 * HEP (the caller goes on to read it as SIP); true when it was HEP, whether or not it carried a SIP message. Emits
 * each SIP message inside with the encapsulated addresses, ports, transport and time, `hep: true`; a HEP packet
 * that is broken, or whose SIP cannot be read, is reported (hep-bad-length, hep-bad-chunk, hep-missing-chunk,
 * hep-no-payload, hep-not-sip) with its packet number. `packets`: the frames that carried the HEP packet.
 */
export function decodeHep(payload: Uint8Array, meta: HepMeta, sink: HepSink, packets: number[] = [meta.packetNumber], stream: StreamFrames = {}): boolean {
  const fields: HepFields = {};
  const issue = (code: string, what: string) =>
    sink.issue({ code, message: `${what} (HEP, packet ${meta.packetNumber})`, file: meta.file, packetNumber: meta.packetNumber, offset: meta.offset });
  if (payload.length >= 4 && isHep3Magic(payload)) {
    if (payload.length < HEP3_HEADER_BYTES) {
      issue('hep-bad-length', `HEP3 packet of ${payload.length} bytes is shorter than its ${HEP3_HEADER_BYTES}-byte header`);
      return true;
    }
    const problem = readHep3(payload, fields);
    if (problem) {
      issue(problem.code, problem.message);
      return true;
    }
  } else if (payload.length < 6 || !readHep2(payload, fields)) {
    return false;
  }
  if (fields.badChunk !== undefined) issue('hep-bad-chunk', fields.badChunk);
  else if (missingEndpoint(fields) !== undefined) issue('hep-missing-chunk', `HEP3 packet without its ${missingEndpoint(fields)} chunk`);
  if (fields.protocolType !== undefined && fields.protocolType !== HEP_PROTOCOL_SIP) return true;
  const inner = fields.payload;
  if (!inner || inner.length === 0) {
    if (fields.badChunk === undefined) issue('hep-no-payload', 'HEP packet of protocol type SIP without a payload chunk');
    return true;
  }
  // the payload as a whole, as a datagram's (sip-datagram-payload.ts): a stream transport's may hold more messages
  if (!isSipPayload(inner, 0, inner.length, issue)) {
    issue('hep-not-sip', 'HEP payload of protocol type SIP does not start with a SIP start line');
    return true;
  }
  const src: Endpoint = { ip: fields.srcIp ?? '', port: fields.srcPort ?? 0 };
  const dst: Endpoint = { ip: fields.dstIp ?? '', port: fields.dstPort ?? 0 };
  const timeUs = fields.seconds !== undefined ? fields.seconds * 1e6 + (fields.microseconds ?? 0) : meta.timeUs;
  const transport = transportOf(fields.protocol);
  const { opening, leadIn } = stream;
  const emit = (bytes: Uint8Array) => sink.message({ file: meta.file, packetNumber: meta.packetNumber, packets, timeUs, src, dst, transport, opening, leadIn, hep: true, bytes });
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
