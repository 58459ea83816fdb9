/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443 §3) errors quote the start of the datagram that caused them; the quote is
 * decoded as tshark does (its UDP payload is SIP that was sent but not delivered), marked quoted, and the quoted
 * addresses replace the outer ones. Once per packet: an error about an error is not followed.
 */
import type { LayerState } from '../layer-state.js';
import { LAYER_IPV4, LAYER_IPV6, LAYER_NONE, type LayerType } from '../layer-types.js';

/** ICMP errors that quote the offending datagram (RFC 792): unreachable 3, source quench 4, time exceeded 11, parameter problem 12. */
const ICMP_QUOTING_TYPES = new Set([3, 4, 11, 12]);
/** ICMPv6 errors (RFC 4443 §3): unreachable 1, packet too big 2, time exceeded 3, parameter problem 4. */
const ICMPV6_QUOTING_TYPES = new Set([1, 2, 3, 4]);
/** Type, code, checksum and 4 more bytes come before the quote. */
const ICMP_HEADER_BYTES = 8;

export function decodeIcmpv4(packet: LayerState): LayerType {
  if (packet.end - packet.start < ICMP_HEADER_BYTES + 20 || !ICMP_QUOTING_TYPES.has(packet.bytes[packet.start])) return LAYER_NONE;
  return quote(packet, LAYER_IPV4);
}

export function decodeIcmpv6(packet: LayerState): LayerType {
  if (packet.end - packet.start < ICMP_HEADER_BYTES + 40 || !ICMPV6_QUOTING_TYPES.has(packet.bytes[packet.start])) return LAYER_NONE;
  return quote(packet, LAYER_IPV6);
}

function quote(packet: LayerState, quoted: LayerType): LayerType {
  if (packet.ip.quoted) return LAYER_NONE;
  packet.ip.quoted = true;
  packet.start += ICMP_HEADER_BYTES;
  return quoted;
}
