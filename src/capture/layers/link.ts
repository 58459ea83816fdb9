/**
 * Link layers, one decoder per LINKTYPE (https://www.tcpdump.org/linktypes.html), chosen from a table by the
 * packet's link type: each finds where the network packet starts, moves the window there and names the network
 * layer by its ethertype (or address family). Works on offsets into the frame, allocates nothing.
 */
import type { LayerState } from '../layer-state.js';
import { LAYER_IPV4, LAYER_IPV6, LAYER_NONE, layerOfEtherType, type LayerType } from '../layer-types.js';
import { u16be, u16le, u32be, u32le } from '../packet-record.js';
import {
  AF_INET,
  AF_INET6_DARWIN,
  AF_INET6_FREEBSD,
  AF_INET6_LINUX,
  AF_INET6_NETBSD,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_VLAN,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
} from '../protocol-numbers.js';

/** Most VLAN tags we step over (QinQ is 2; more is malformed or hostile). */
const MAX_VLAN_TAGS = 8;

/** Reads the link header in the packet's window; LAYER_NONE when it is too short or carries no IP. */
export type LinkDecoder = (packet: LayerState) => LayerType;

/** IEEE 802.3 Ethernet II, with 802.1Q and 802.1ad (QinQ) tags stepped over. */
function ethernet(packet: LayerState): LayerType {
  const { bytes, start, end } = packet;
  let at = start + 12;
  if (end - at < 2) return LAYER_NONE;
  let etherType = u16be(bytes, at);
  for (let tags = 0; (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) && tags < MAX_VLAN_TAGS; tags++) {
    at += 4;
    if (end - at < 2) return LAYER_NONE;
    etherType = u16be(bytes, at);
  }
  return network(packet, at + 2, etherType);
}

/** The network packet starts at `at` with this ethertype. */
function network(packet: LayerState, at: number, etherType: number): LayerType {
  // values below 0x0600 are 802.3 lengths (LLC frames): no IP for us there
  if (etherType < 0x0600 || at > packet.end) return LAYER_NONE;
  packet.start = at;
  return layerOfEtherType(etherType);
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL): 16-byte header, protocol in the last two bytes. */
function linuxSll(packet: LayerState): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 16) return LAYER_NONE;
  return sllProtocol(packet, start + 16, u16be(bytes, start + 14));
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, `tcpdump -i any`): 20-byte header, protocol first. */
function linuxSll2(packet: LayerState): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 20) return LAYER_NONE;
  return sllProtocol(packet, start + 20, u16be(bytes, start));
}

function sllProtocol(packet: LayerState, at: number, protocol: number): LayerType {
  if (protocol === ETHERTYPE_VLAN || protocol === ETHERTYPE_QINQ) {
    if (packet.end - at < 4) return LAYER_NONE;
    return sllProtocol(packet, at + 4, u16be(packet.bytes, at + 2));
  }
  return network(packet, at, protocol);
}

/** Raw IP (LINKTYPE_RAW, DLT_RAW 12/14 on some BSDs): the version nibble says which. */
function rawIp(packet: LayerState): LayerType {
  if (packet.end <= packet.start) return LAYER_NONE;
  const version = packet.bytes[packet.start] >> 4;
  return version === 4 ? LAYER_IPV4 : version === 6 ? LAYER_IPV6 : LAYER_NONE;
}

function rawIpv4(packet: LayerState): LayerType {
  return packet.end > packet.start ? LAYER_IPV4 : LAYER_NONE;
}

function rawIpv6(packet: LayerState): LayerType {
  return packet.end > packet.start ? LAYER_IPV6 : LAYER_NONE;
}

/** The capturing system's address family (AF_INET6 differs by system). */
function familyLayer(family: number): LayerType {
  if (family === AF_INET) return LAYER_IPV4;
  if (family === AF_INET6_LINUX || family === AF_INET6_NETBSD || family === AF_INET6_FREEBSD || family === AF_INET6_DARWIN) return LAYER_IPV6;
  return LAYER_NONE;
}

/** LINKTYPE_NULL: 4-byte address family in the byte order of the capturing host (unknown: try both). */
function bsdNull(packet: LayerState): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 4) return LAYER_NONE;
  const little = u32le(bytes, start);
  return family(packet, little < 256 ? little : u32be(bytes, start), start + 4);
}

/** LINKTYPE_LOOP: the same 4-byte family, always in network byte order. */
function bsdLoop(packet: LayerState): LayerType {
  if (packet.end - packet.start < 4) return LAYER_NONE;
  return family(packet, u32be(packet.bytes, packet.start), packet.start + 4);
}

function family(packet: LayerState, addressFamily: number, at: number): LayerType {
  const layer = familyLayer(addressFamily);
  if (layer === LAYER_NONE || at > packet.end) return LAYER_NONE;
  packet.start = at;
  return layer;
}

const NFULA_PAYLOAD = 9;

/**
 * LINKTYPE_NFLOG (`tcpdump -i nflog:N`): family, version, resource id, then TLVs whose length and type are in
 * the capturing host's byte order (tried little-endian first, then big-endian); the packet is the NFULA_PAYLOAD TLV.
 */
function nflog(packet: LayerState): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 4) return LAYER_NONE;
  const addressFamily = bytes[start];
  for (let at = start + 4; end - at >= 4; ) {
    let length = u16le(bytes, at);
    let type = u16le(bytes, at + 2);
    if (length < 4 || at + length > end) {
      length = u16be(bytes, at);
      type = u16be(bytes, at + 2);
      if (length < 4 || at + length > end) return LAYER_NONE;
    }
    if (type === NFULA_PAYLOAD) return family(packet, addressFamily, at + 4);
    at += (length + 3) & ~3;
  }
  return LAYER_NONE;
}

/** Decoders by link type. */
export const LINK_DECODERS: ReadonlyMap<number, LinkDecoder> = new Map<number, LinkDecoder>([
  [LINKTYPE_NULL, bsdNull],
  [LINKTYPE_ETHERNET, ethernet],
  [LINKTYPE_RAW_BSD, rawIp],
  [LINKTYPE_RAW_OPENBSD, rawIp],
  [LINKTYPE_RAW, rawIp],
  [LINKTYPE_LOOP, bsdLoop],
  [LINKTYPE_LINUX_SLL, linuxSll],
  [LINKTYPE_IPV4, rawIpv4],
  [LINKTYPE_IPV6, rawIpv6],
  [LINKTYPE_NFLOG, nflog],
  [LINKTYPE_LINUX_SLL2, linuxSll2],
]);
