/**
 * What the capture layers share while one packet is decoded (gopacket's DecodingLayerParser model): one reused
 * `LayerState` that each layer fills for the layers after it, and the `LayerServices` of the file being decoded
 * (where messages and issues go, the stream decoders, the fragment table). A layer decoder reads the window
 * `bytes[start..end)`, records what later layers need, moves the window to its own payload and returns the next
 * layer type; it never calls another layer. Nothing here is allocated per packet.
 */
import type { FragmentTable, IpFragment } from './fragments.js';
import { ipv4Text, ipv6Text } from './ip-address.js';
import { isIpLayer, isIpv6ExtensionLayer, LAYER_NONE, LAYER_UDP, type LayerType } from './layer-types.js';
import type { PacketRecord } from './packet-record.js';
import type { SctpMeta } from './sctp.js';
import type { TcpSegment } from './tcp-reassembly.js';
import type { DecodeIssue, Endpoint, FrameMeta, SipPayload } from './types.js';

/** The innermost IP header read so far, and the rules that depend on how it was reached. */
export interface IpState {
  version: number;
  /** Buffer holding the IP header, and where its source and destination addresses are. */
  addressBytes: Uint8Array;
  srcAt: number;
  dstAt: number;
  /** IP-in-IP headers passed (RFC 2003, RFC 4213). */
  tunnels: number;
  /** IPv6 extension headers walked since the last IPv6 or fragment header (RFC 8200 §4.1). */
  extensionHeaders: number;
  /** Decoding the datagram quoted in an ICMP error: no reassembly, UDP only (RFC 792, RFC 4443 §3). */
  quoted: boolean;
}

/** Most IPv4 endpoints cached (ipv4Endpoint); the cache starts again when full. */
const ENDPOINT_CACHE_LIMIT = 4096;
const ipv4Endpoints = new Map<number, Endpoint>();

/** The Endpoint of the IPv4 address at bytes[at..at+4) and `port`, shared (never written by its receivers). */
function ipv4Endpoint(bytes: Uint8Array, at: number, port: number): Endpoint {
  // address (32 bits) and port (16 bits): a key below 2^48, exact as a number
  const key = (((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0) * 65536 + port;
  let endpoint = ipv4Endpoints.get(key);
  if (endpoint === undefined) {
    endpoint = { ip: ipv4Text(bytes, at), port };
    if (ipv4Endpoints.size >= ENDPOINT_CACHE_LIMIT) ipv4Endpoints.clear();
    ipv4Endpoints.set(key, endpoint);
  }
  return endpoint;
}

/** IP-in-IP nesting we follow; deeper is hostile input. */
const MAX_TUNNEL_DEPTH = 4;
const NO_BYTES = new Uint8Array(0);

export class LayerState {
  readonly frame: FrameMeta = { file: '', packetNumber: 0, timeUs: 0, offset: 0 };
  /** The window the next layer reads. */
  bytes: Uint8Array = NO_BYTES;
  start = 0;
  end = 0;
  readonly ip: IpState = { version: 4, addressBytes: NO_BYTES, srcAt: 0, dstAt: 0, tunnels: 0, extensionHeaders: 0, quoted: false };
  /** UDP ports of the datagram whose payload is in the window. */
  srcPort = 0;
  dstPort = 0;
  /** Frames behind the current payload when it came from fragment reassembly, else undefined. */
  fragmentPackets: number[] | undefined;
  /** The frame was cut by the snapshot length (reported once, as `truncated-packet`, for the whole frame). */
  truncated = false;

  /** Starts a packet: the window is the whole captured frame. */
  begin(record: PacketRecord, file: string, packetNumber: number): void {
    const frame = this.frame;
    frame.file = file;
    frame.packetNumber = packetNumber;
    frame.timeUs = record.timeUs;
    frame.offset = record.offset;
    this.bytes = record.bytes;
    this.start = record.start;
    this.end = record.end;
    this.fragmentPackets = undefined;
    this.truncated = record.end - record.start < record.originalLength;
    this.ip.tunnels = 0;
    this.ip.quoted = false;
  }

  /** The window moves to bytes[start..end) (a layer's payload). */
  window(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
  }

  /** Records the addresses of the IP header just read (they replace any outer ones). */
  addresses(version: number, bytes: Uint8Array, srcAt: number, dstAt: number): void {
    const ip = this.ip;
    ip.version = version;
    ip.addressBytes = bytes;
    ip.srcAt = srcAt;
    ip.dstAt = dstAt;
  }

  sourceIp(): string {
    const ip = this.ip;
    return ip.version === 4 ? ipv4Text(ip.addressBytes, ip.srcAt) : ipv6Text(ip.addressBytes, ip.srcAt);
  }

  destinationIp(): string {
    const ip = this.ip;
    return ip.version === 4 ? ipv4Text(ip.addressBytes, ip.dstAt) : ipv6Text(ip.addressBytes, ip.dstAt);
  }

  /**
   * Source and destination of the current UDP payload as Endpoints. For IPv4 they come from a bounded cache by
   * address and port: a capture has few distinct endpoints, and two objects per message were a steady share of
   * the decode's allocation. A cached Endpoint is shared by many payloads and never written.
   */
  sourceEndpoint(): Endpoint {
    const ip = this.ip;
    return ip.version === 4 ? ipv4Endpoint(ip.addressBytes, ip.srcAt, this.srcPort) : { ip: this.sourceIp(), port: this.srcPort };
  }

  destinationEndpoint(): Endpoint {
    const ip = this.ip;
    return ip.version === 4 ? ipv4Endpoint(ip.addressBytes, ip.dstAt, this.dstPort) : { ip: this.destinationIp(), port: this.dstPort };
  }

  /** Frames that carried the current payload. */
  packets(): number[] {
    return this.fragmentPackets ?? [this.frame.packetNumber];
  }
}

export interface StreamDecoderSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

/** The stream stage of one file: what the transport layers hand their packets on to. */
export interface StreamHooks {
  tcpSegment(segment: TcpSegment): void;
  /** SCTP packet (common header onwards). */
  sctp(packet: Uint8Array, meta: SctpMeta): void;
  /** End of input: streams emit or report what they still hold. */
  flush(): void;
}

/** What the layers of one file's decoder reach besides the packet. */
export interface LayerServices {
  readonly sink: StreamDecoderSink;
  readonly streams: StreamHooks;
  readonly fragments: FragmentTable;
}

/** One layer: reads `packet`'s window, fills `packet` for the layers after it, returns the next layer type. */
export type LayerDecoder = (packet: LayerState, services: LayerServices) => LayerType;

export function reportIssue(packet: LayerState, services: LayerServices, code: string, message: string): void {
  const frame = packet.frame;
  services.sink.issue({ code, message, file: frame.file, packetNumber: frame.packetNumber, offset: frame.offset });
}

/** Reports a header that is malformed or cut short; the packet's decoding stops there. */
export function malformed(packet: LayerState, services: LayerServices, what: string): LayerType {
  reportIssue(packet, services, 'malformed-packet', `${what} is malformed or cut short`);
  return LAYER_NONE;
}

/** The fragment handed to the table: one object, refilled for every fragment (the table copies what it keeps). */
const fragment: IpFragment = { key: '', at: 0, last: false, bytes: new Uint8Array(0), start: 0, end: 0, frame: { file: '', packetNumber: 0, timeUs: 0, offset: 0 } };

/**
 * An IPv4 or IPv6 fragment (RFC 791 §3.2, RFC 8200 §4.5) whose data is bytes[start, end) of the packet, at byte
 * `at` of the datagram named `key`: handed to the fragment table; when it completed the datagram, the window moves
 * to the reassembled payload and the layer `next` follows (ipPayloadLayer), else nothing more is read of it.
 */
export function reassembleFragment(packet: LayerState, services: LayerServices, key: string, at: number, last: boolean, start: number, end: number, next: LayerType): LayerType {
  fragment.key = key;
  fragment.at = at;
  fragment.last = last;
  fragment.bytes = packet.bytes;
  fragment.start = start;
  fragment.end = end;
  fragment.frame = packet.frame;
  const whole = services.fragments.add(fragment);
  if (whole === undefined) return LAYER_NONE;
  packet.fragmentPackets = whole.packets;
  packet.window(whole.payload, 0, whole.payload.length);
  return ipPayloadLayer(packet, services, next);
}

/**
 * After an IP header, the layer its protocol names, under two rules: IP-in-IP is followed to MAX_TUNNEL_DEPTH
 * (the inner addresses are the ones kept), and inside an ICMP quote only UDP is read (a quoted TCP or SCTP
 * segment is a piece of a stream already seen).
 */
export function ipPayloadLayer(packet: LayerState, services: LayerServices, next: LayerType): LayerType {
  if (isIpLayer(next)) return ++packet.ip.tunnels > MAX_TUNNEL_DEPTH ? malformed(packet, services, 'IP-in-IP nesting') : next;
  if (packet.ip.quoted && next !== LAYER_UDP && !isIpv6ExtensionLayer(next)) return LAYER_NONE;
  return next;
}
