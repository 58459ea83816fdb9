/**
 * IPv6 (RFC 8200 §3) and its extension headers (§4), one layer per header as gopacket's ip6.go: hop-by-hop,
 * routing, destination options and mobility share one shape; the authentication header (RFC 4302) counts its
 * length differently; the fragment header (§4.5) hands fragments to the fragment table.
 */
import { ipPayloadLayer, malformed, reassembleFragment, type LayerServices, type LayerState } from '../layer-state.js';
import { isIpv6ExtensionLayer, LAYER_NONE, layerOfIpv6NextHeader, type LayerType } from '../layer-types.js';
import { u16be, u32be } from '../packet-record.js';

/** Extension headers walked in one chain before giving up (RFC 8200 §4.1 order has at most ~8). */
const MAX_EXTENSION_HEADERS = 16;

/** RFC 8200 §3: the fixed header; what follows is named by its next-header field. */
export function decodeIpv6(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 40 || bytes[start] >> 4 !== 6) return malformed(packet, services, 'IPv6 header');
  const payloadLength = u16be(bytes, start + 4);
  // payload length 0 means a jumbogram (RFC 2675): take the frame as it is
  const packetEnd = payloadLength === 0 ? end : Math.min(end, start + 40 + payloadLength);
  packet.addresses(6, bytes, start + 8, start + 24);
  packet.ip.extensionHeaders = 0;
  packet.window(bytes, start + 40, packetEnd);
  return ipPayloadLayer(packet, services, layerOfIpv6NextHeader(bytes[start + 6]));
}

/** Hop-by-hop (§4.3), routing (§4.4), destination options (§4.6), mobility (RFC 6275 §6.1): length in 8-octet units, not counting the first. */
export function decodeIpv6Extension(packet: LayerState, services: LayerServices): LayerType {
  if (packet.end - packet.start < 8) return malformed(packet, services, 'IPv6 extension header');
  return nextExtension(packet, services, (packet.bytes[packet.start + 1] + 1) * 8);
}

/** RFC 4302 §2.2: length in 4-octet units minus 2. */
export function decodeIpv6Auth(packet: LayerState, services: LayerServices): LayerType {
  if (packet.end - packet.start < 8) return malformed(packet, services, 'IPv6 authentication header');
  return nextExtension(packet, services, (packet.bytes[packet.start + 1] + 2) * 4);
}

function nextExtension(packet: LayerState, services: LayerServices, length: number): LayerType {
  const next = layerOfIpv6NextHeader(packet.bytes[packet.start]);
  packet.start += length;
  if (++packet.ip.extensionHeaders >= MAX_EXTENSION_HEADERS) return malformed(packet, services, 'IPv6 extension header chain');
  if (!isIpv6ExtensionLayer(next) && packet.start > packet.end) return malformed(packet, services, 'IPv6 extension header length');
  return ipPayloadLayer(packet, services, next);
}

/** RFC 8200 §4.5: fragments keyed by source, destination and identification. */
export function decodeIpv6Fragment(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 8) return malformed(packet, services, 'IPv6 fragment header');
  const next = layerOfIpv6NextHeader(bytes[start]);
  const offsetAndFlags = u16be(bytes, start + 2);
  const fragmentOffset = offsetAndFlags & 0xfff8;
  const moreFragments = (offsetAndFlags & 1) !== 0;
  packet.ip.extensionHeaders = 0;
  // an ICMP error quotes the start of one fragment: read what is there, never feed the reassembly table
  if ((fragmentOffset === 0 && !moreFragments) || (packet.ip.quoted && fragmentOffset === 0)) {
    packet.start = start + 8;
    return ipPayloadLayer(packet, services, next);
  }
  if (packet.ip.quoted) return LAYER_NONE;
  const ip = packet.ip;
  // the source and destination addresses (32 bytes from the source) name the datagram with its identification
  const key = `6|${Buffer.from(ip.addressBytes.buffer, ip.addressBytes.byteOffset + ip.srcAt, 32).toString('latin1')}|${u32be(bytes, start + 4)}`;
  return reassembleFragment(packet, services, key, fragmentOffset, !moreFragments, start + 8, end, next);
}
