/**
 * One capture file's frames to SIP payloads: link -> IPv4/IPv6 (+ fragments, IP-in-IP) -> UDP | TCP | SCTP,
 * each layer chosen from a table (link type, ethertype, IP protocol). Works on offsets into the reader's window;
 * the only per-packet allocations are for packets that carry SIP, TCP data or fragments.
 */
import { FragmentTable, type FragmentLimits } from './fragments.js';
import { ipv4Text, ipv6Text } from './ip-address.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINK_DECODERS, type LinkResult } from './link.js';
import { u16be, u32be, type PacketRecord } from './packet-record.js';
import { TRANSPORT_DECODERS, type PacketContext, type StreamDecoderSink, type TransportHooks } from './transport-decoders.js';

/** IP-in-IP nesting we follow (RFC 2003 / RFC 4213 tunnels); deeper is hostile input. */
const MAX_TUNNEL_DEPTH = 4;
/** IPv6 extension headers we walk before giving up (RFC 8200 §4.1 order has at most ~8). */
const MAX_EXTENSION_HEADERS = 16;

const IPPROTO_HOPOPTS = 0;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const IPPROTO_MOBILITY = 135;

export class PacketDecoder implements PacketContext {
  /** Current packet, as the transport decoders need it. */
  packetNumber = 0;
  timeUs = 0;
  offset = 0;
  /** Frames behind the current payload when it came from fragment reassembly, else undefined. */
  fragmentPackets: number[] | undefined;
  /** Buffer holding the current (innermost) IP header, and where its addresses are. */
  addressBytes: Uint8Array = new Uint8Array(0);
  srcAddressAt = 0;
  dstAddressAt = 0;
  ipVersion = 4;
  readonly fragments: FragmentTable;
  private readonly link: LinkResult = { etherType: 0, start: 0 };
  private tunnelDepth = 0;
  /** Decoding the datagram quoted in an ICMP error: no reassembly, UDP only. */
  inIcmpQuote = false;
  private readonly unsupportedLinkTypes = new Set<number>();

  constructor(
    /** The capture file of the current packet (changes when several files are read as one capture). */
    public file: string,
    readonly sink: StreamDecoderSink,
    readonly hooks: TransportHooks,
    fragmentLimits: FragmentLimits,
  ) {
    this.fragments = new FragmentTable(fragmentLimits, (code, message, packetNumber, offset, file) => this.report(code, message, packetNumber, offset, file));
  }

  report(code: string, message: string, packetNumber: number | undefined = this.packetNumber, offset: number | undefined = this.offset, file = this.file): void {
    this.sink.issue({ code, message, file, packetNumber, offset });
  }

  /** Decodes one frame; `packetNumber` replaces the file's own number when several files are read as one. */
  packet(record: PacketRecord, packetNumber = record.packetNumber): void {
    this.packetNumber = packetNumber;
    this.timeUs = record.timeUs;
    this.offset = record.offset;
    this.fragmentPackets = undefined;
    this.tunnelDepth = 0;
    this.inIcmpQuote = false;
    if (this.fragments.size > 0) this.fragments.expire(record.timeUs);
    const captured = record.end - record.start;
    if (record.linkType < 0) return;
    if (captured < record.originalLength) {
      this.report('truncated-packet', `packet cut by the snapshot length: ${captured} of ${record.originalLength} bytes captured`);
    }
    const decodeLink = LINK_DECODERS.get(record.linkType);
    if (decodeLink === undefined) {
      if (!this.unsupportedLinkTypes.has(record.linkType)) {
        this.unsupportedLinkTypes.add(record.linkType);
        this.report('unsupported-link-type', `link type ${record.linkType} is not decoded; its packets are skipped`);
      }
      return;
    }
    if (!decodeLink(record.bytes, record.start, record.end, this.link)) return;
    this.network(this.link.etherType, record.bytes, this.link.start, record.end);
  }

  /** Ethertype table: IPv4 and IPv6; anything else (ARP, LLDP, ...) carries no SIP. */
  network(etherType: number, bytes: Uint8Array, start: number, end: number): void {
    if (etherType === ETHERTYPE_IPV4) this.ipv4(bytes, start, end);
    else if (etherType === ETHERTYPE_IPV6) this.ipv6(bytes, start, end);
  }

  /** RFC 791 §3.1. */
  ipv4(bytes: Uint8Array, start: number, end: number): void {
    if (end - start < 20 || bytes[start] >> 4 !== 4) return this.malformed('IPv4 header');
    const headerLength = (bytes[start] & 0x0f) * 4;
    const totalLength = u16be(bytes, start + 2);
    if (headerLength < 20 || end - start < headerLength) return this.malformed('IPv4 header length');
    // total length 0: a segment captured before TCP segmentation offload filled it in; the frame ends the packet
    if (totalLength !== 0 && totalLength < headerLength) return this.malformed('IPv4 total length');
    // Ethernet pads short frames: the IP total length says where the packet really ends
    const packetEnd = totalLength === 0 ? end : Math.min(end, start + totalLength);
    this.addressBytes = bytes;
    this.srcAddressAt = start + 12;
    this.dstAddressAt = start + 16;
    this.ipVersion = 4;
    const protocol = bytes[start + 9];
    const flagsAndOffset = u16be(bytes, start + 6);
    const moreFragments = (flagsAndOffset & 0x2000) !== 0;
    const fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
    if (!moreFragments && fragmentOffset === 0) return this.transport(protocol, bytes, start + headerLength, packetEnd);
    // an ICMP error quotes the start of one fragment: read what is there, never feed the reassembly table
    if (this.inIcmpQuote) return fragmentOffset === 0 ? this.transport(protocol, bytes, start + headerLength, packetEnd) : undefined;
    const key = `4|${u32be(bytes, start + 12)}|${u32be(bytes, start + 16)}|${protocol}|${u16be(bytes, start + 4)}`;
    const whole = this.fragments.add(key, fragmentOffset, moreFragments, bytes, start + headerLength, packetEnd, this.packetNumber, this.timeUs, this.offset, this.file);
    if (whole === undefined) return;
    this.fragmentPackets = whole.packets;
    this.transport(protocol, whole.payload, 0, whole.payload.length);
  }

  /** RFC 8200 §3 header, then the extension header chain (§4). */
  ipv6(bytes: Uint8Array, start: number, end: number): void {
    if (end - start < 40 || bytes[start] >> 4 !== 6) return this.malformed('IPv6 header');
    const payloadLength = u16be(bytes, start + 4);
    // payload length 0 means a jumbogram (RFC 2675): take the frame as it is
    const packetEnd = payloadLength === 0 ? end : Math.min(end, start + 40 + payloadLength);
    this.addressBytes = bytes;
    this.srcAddressAt = start + 8;
    this.dstAddressAt = start + 24;
    this.ipVersion = 6;
    this.ipv6Chain(bytes[start + 6], bytes, start + 40, packetEnd, start);
  }

  private ipv6Chain(nextHeader: number, bytes: Uint8Array, at: number, end: number, headerStart: number): void {
    for (let count = 0; count < MAX_EXTENSION_HEADERS; count++) {
      switch (nextHeader) {
        case IPPROTO_HOPOPTS:
        case IPPROTO_ROUTING:
        case IPPROTO_DSTOPTS:
        case IPPROTO_MOBILITY: {
          if (end - at < 8) return this.malformed('IPv6 extension header');
          const length = (bytes[at + 1] + 1) * 8;
          nextHeader = bytes[at];
          at += length;
          break;
        }
        case IPPROTO_AH: {
          // RFC 4302 §2.2: length in 4-octet units minus 2
          if (end - at < 8) return this.malformed('IPv6 authentication header');
          const length = (bytes[at + 1] + 2) * 4;
          nextHeader = bytes[at];
          at += length;
          break;
        }
        case IPPROTO_FRAGMENT:
          return this.ipv6Fragment(bytes, at, end, headerStart);
        default:
          if (at > end) return this.malformed('IPv6 extension header length');
          return this.transport(nextHeader, bytes, at, end);
      }
    }
    this.malformed('IPv6 extension header chain');
  }

  /** RFC 8200 §4.5: fragments keyed by source, destination and identification. */
  private ipv6Fragment(bytes: Uint8Array, at: number, end: number, headerStart: number): void {
    if (end - at < 8) return this.malformed('IPv6 fragment header');
    const nextHeader = bytes[at];
    const offsetAndFlags = u16be(bytes, at + 2);
    const fragmentOffset = offsetAndFlags & 0xfff8;
    const moreFragments = (offsetAndFlags & 1) !== 0;
    const identification = u32be(bytes, at + 4);
    if (fragmentOffset === 0 && !moreFragments) return this.ipv6Chain(nextHeader, bytes, at + 8, end, headerStart);
    if (this.inIcmpQuote) return fragmentOffset === 0 ? this.ipv6Chain(nextHeader, bytes, at + 8, end, headerStart) : undefined;
    const key = `6|${Buffer.from(bytes.buffer, bytes.byteOffset + headerStart + 8, 32).toString('latin1')}|${identification}`;
    const whole = this.fragments.add(key, fragmentOffset, moreFragments, bytes, at + 8, end, this.packetNumber, this.timeUs, this.offset, this.file);
    if (whole === undefined) return;
    this.fragmentPackets = whole.packets;
    this.ipv6Chain(nextHeader, whole.payload, 0, whole.payload.length, headerStart);
  }

  /** IP protocol table (UDP, TCP, SCTP, ICMP, IP-in-IP); other protocols carry no SIP. */
  transport(protocol: number, bytes: Uint8Array, start: number, end: number): void {
    if (protocol === 4 || protocol === 41) return this.tunnel(protocol, bytes, start, end);
    // a quoted TCP or SCTP segment is a fragment of a stream already seen: only quoted UDP is read
    if (this.inIcmpQuote && protocol !== 17) return;
    const decodeTransport = TRANSPORT_DECODERS.get(protocol);
    if (decodeTransport !== undefined) decodeTransport(this, bytes, start, end);
  }

  /** IPv4 (protocol 4, RFC 2003) or IPv6 (41, RFC 4213) inside IP: the inner addresses are the ones kept. */
  private tunnel(protocol: number, bytes: Uint8Array, start: number, end: number): void {
    if (++this.tunnelDepth > MAX_TUNNEL_DEPTH) return this.malformed('IP-in-IP nesting');
    const outerFragments = this.fragmentPackets;
    if (protocol === 4) this.ipv4(bytes, start, end);
    else this.ipv6(bytes, start, end);
    this.fragmentPackets ??= outerFragments;
  }

  /** The IP packet quoted in an ICMP error (RFC 792 / RFC 4443 §3); the quoted addresses replace the outer ones. */
  icmpQuote(ipVersion: 4 | 6, bytes: Uint8Array, start: number, end: number): void {
    if (this.inIcmpQuote) return;
    this.inIcmpQuote = true;
    if (ipVersion === 4) this.ipv4(bytes, start, end);
    else this.ipv6(bytes, start, end);
  }

  sourceIp(): string {
    return this.ipVersion === 4 ? ipv4Text(this.addressBytes, this.srcAddressAt) : ipv6Text(this.addressBytes, this.srcAddressAt);
  }

  destinationIp(): string {
    return this.ipVersion === 4 ? ipv4Text(this.addressBytes, this.dstAddressAt) : ipv6Text(this.addressBytes, this.dstAddressAt);
  }

  /** Frames that carried the current payload. */
  packets(): number[] {
    return this.fragmentPackets ?? [this.packetNumber];
  }

  malformed(what: string): void {
    this.report('malformed-packet', `${what} is malformed or cut short`);
  }

  /** End of file: report incomplete fragments and let stream decoders emit what they still hold. */
  flush(): void {
    this.fragments.flush();
    this.hooks.flush();
  }
}
