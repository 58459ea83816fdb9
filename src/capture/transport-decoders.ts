/**
 * Transport layer, keyed by IP protocol number: UDP (RFC 768) payloads are SIP when they start with a SIP start
 * line (RFC 3261 §7.1/§7.2, any port) or HEP when they start with its magic; TCP (RFC 9293) segments go to the
 * stream reassembler and SCTP (RFC 9260) packets to the SCTP decoder. ICMP and ICMPv6 errors have the UDP
 * datagram they quote read as tshark does, marked `icmpQuote` (sent, not delivered; possibly cut short).
 */
import { keepBytes, u16be, u32be } from './packet-record.js';
import type { TcpSegment } from './tcp-reassembly.js';
import { sipStartLineAt, START_LINE_YES } from './tcp-start-line.js';
import type { DecodeIssue, SipPayload } from './types.js';

export interface StreamDecoderSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

export interface PacketMeta {
  file: string;
  packetNumber: number;
  timeUs: number;
  offset: number;
}

/** How the transport decoders reach the stream-level decoders of one file. */
export interface TransportHooks {
  tcpSegment(segment: TcpSegment): void;
  /** SCTP packet (common header onwards). */
  sctp(packet: Uint8Array, meta: PacketMeta & { src: string; dst: string }): void;
  /** True when the payload was HEP (and has been handled). */
  hep(payload: Uint8Array, meta: PacketMeta): boolean;
  flush(): void;
}

/** What a transport decoder reads of the packet being decoded (implemented by PacketDecoder). */
export interface PacketContext extends PacketMeta {
  readonly sink: StreamDecoderSink;
  readonly hooks: TransportHooks;
  /** Buffer holding the current (innermost) IP header, and where its addresses are. */
  readonly addressBytes: Uint8Array;
  readonly srcAddressAt: number;
  readonly dstAddressAt: number;
  readonly ipVersion: number;
  /** Decoding the datagram quoted in an ICMP error. */
  readonly inIcmpQuote: boolean;
  sourceIp(): string;
  destinationIp(): string;
  /** Frames behind the current payload (several after IP fragment reassembly). */
  packets(): number[];
  malformed(what: string): void;
  icmpQuote(ipVersion: 4 | 6, bytes: Uint8Array, start: number, end: number): void;
}

export type TransportDecoder = (decoder: PacketContext, bytes: Uint8Array, start: number, end: number) => void;

const HEP3_MAGIC = 0x48455033; // "HEP3"
const EEP1_MAGIC = 0x45455031; // "EEP1", HEP3's other name

function udp(decoder: PacketContext, bytes: Uint8Array, start: number, end: number): void {
  if (end - start < 8) return decoder.malformed('UDP header');
  const length = u16be(bytes, start + 4);
  // length 0 happens on IPv6 jumbograms and with some offloads: use the IP payload end then
  const payloadEnd = length >= 8 ? Math.min(end, start + length) : end;
  const payloadStart = start + 8;
  if (payloadEnd <= payloadStart) return;
  const first = bytes[payloadStart];
  const magic = payloadEnd - payloadStart >= 4 ? u32be(bytes, payloadStart) : 0;
  if (magic === HEP3_MAGIC || magic === EEP1_MAGIC || ((first === 1 || first === 2) && looksLikeHep1or2(bytes, payloadStart, payloadEnd))) {
    const meta = { file: decoder.file, packetNumber: decoder.packetNumber, timeUs: decoder.timeUs, offset: decoder.offset };
    if (decoder.hooks.hep(bytes.subarray(payloadStart, payloadEnd), meta)) return;
  }
  if (sipStartLineAt(bytes, payloadStart, payloadEnd) !== START_LINE_YES) return;
  decoder.sink.message({
    file: decoder.file,
    packetNumber: decoder.packetNumber,
    packets: decoder.packets(),
    timeUs: decoder.timeUs,
    src: { ip: decoder.sourceIp(), port: u16be(bytes, start) },
    dst: { ip: decoder.destinationIp(), port: u16be(bytes, start + 2) },
    transport: 'udp',
    ...(decoder.inIcmpQuote ? { icmpQuote: true } : {}),
    bytes: keepBytes(bytes, payloadStart, payloadEnd),
  });
}

/** ICMP errors that quote the offending datagram (RFC 792): unreachable 3, source quench 4, time exceeded 11, parameter problem 12. */
const ICMP_QUOTING_TYPES = new Set([3, 4, 11, 12]);
/** ICMPv6 errors (RFC 4443 §3): unreachable 1, packet too big 2, time exceeded 3, parameter problem 4. */
const ICMPV6_QUOTING_TYPES = new Set([1, 2, 3, 4]);

function icmp(decoder: PacketContext, bytes: Uint8Array, start: number, end: number): void {
  if (end - start < 8 + 20 || !ICMP_QUOTING_TYPES.has(bytes[start])) return;
  decoder.icmpQuote(4, bytes, start + 8, end);
}

function icmpv6(decoder: PacketContext, bytes: Uint8Array, start: number, end: number): void {
  if (end - start < 8 + 40 || !ICMPV6_QUOTING_TYPES.has(bytes[start])) return;
  decoder.icmpQuote(6, bytes, start + 8, end);
}

/**
 * HEP v1/v2 fixed header: version, header length 16 (IPv4) or 40 (IPv6), address family AF_INET 2 / AF_INET6 10.
 * Checked before calling the HEP decoder so that media whose first byte happens to be 1 or 2 (T.38 UDPTL starts
 * with a sequence number) costs no call and no allocation.
 */
function looksLikeHep1or2(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 16) return false;
  const headerLength = bytes[start + 1];
  const family = bytes[start + 2];
  return (family === 2 && headerLength === 16) || (family === 10 && headerLength === 40);
}

/**
 * One segment object reused for every TCP segment: the reassembler copies what it keeps (flow endpoints, held
 * segments, frame metadata) and never holds on to the segment itself, so no allocation per segment is needed.
 */
const segment: TcpSegment = {
  file: '',
  packetNumber: 0,
  timeUs: 0,
  offset: 0,
  src: { ip: '', port: 0 },
  dst: { ip: '', port: 0 },
  seq: 0,
  ack: 0,
  flags: 0,
  payload: new Uint8Array(0),
  flowKey: undefined,
};

function tcp(decoder: PacketContext, bytes: Uint8Array, start: number, end: number): void {
  if (end - start < 20) return decoder.malformed('TCP header');
  const headerLength = (bytes[start + 12] >> 4) * 4;
  if (headerLength < 20 || headerLength > end - start) return decoder.malformed('TCP header length');
  segment.file = decoder.file;
  segment.packetNumber = decoder.packetNumber;
  segment.timeUs = decoder.timeUs;
  segment.offset = decoder.offset;
  segment.src.ip = decoder.sourceIp();
  segment.src.port = u16be(bytes, start);
  segment.dst.ip = decoder.destinationIp();
  segment.dst.port = u16be(bytes, start + 2);
  segment.flowKey = decoder.ipVersion === 4 ? ipv4FlowKey(decoder, bytes, start) : undefined;
  segment.seq = u32be(bytes, start + 4);
  segment.ack = u32be(bytes, start + 8);
  segment.flags = bytes[start + 13];
  segment.payload = bytes.subarray(start + headerLength, end);
  decoder.hooks.tcpSegment(segment);
}

/**
 * A short flat string naming an IPv4 TCP flow (addresses and ports as 16-bit char codes): hashed far faster
 * than the text key built from address strings. The leading char 4 keeps it apart from text keys.
 */
function ipv4FlowKey(decoder: PacketContext, bytes: Uint8Array, start: number): string {
  const a = decoder.addressBytes;
  const src = decoder.srcAddressAt;
  const dst = decoder.dstAddressAt;
  return String.fromCharCode(
    4,
    u16be(a, src),
    u16be(a, src + 2),
    u16be(a, dst),
    u16be(a, dst + 2),
    u16be(bytes, start),
    u16be(bytes, start + 2),
  );
}

function sctp(decoder: PacketContext, bytes: Uint8Array, start: number, end: number): void {
  if (end - start < 12) return decoder.malformed('SCTP common header');
  decoder.hooks.sctp(bytes.subarray(start, end), {
    file: decoder.file,
    packetNumber: decoder.packetNumber,
    timeUs: decoder.timeUs,
    offset: decoder.offset,
    src: decoder.sourceIp(),
    dst: decoder.destinationIp(),
  });
}

/** Decoders by IP protocol number (IANA "Assigned Internet Protocol Numbers"). */
export const TRANSPORT_DECODERS: ReadonlyMap<number, TransportDecoder> = new Map<number, TransportDecoder>([
  [1, icmp],
  [6, tcp],
  [17, udp],
  [58, icmpv6],
  [132, sctp],
]);
