/**
 * Link layers, one decoder per LINKTYPE (https://www.tcpdump.org/linktypes.html), chosen from a table: each finds
 * where the network packet starts and which ethertype it has. Works on offsets into the frame, allocates nothing.
 */
import { u16be, u16le, u32be, u32le } from './packet-record.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
/** Most VLAN tags we step over (QinQ is 2; more is malformed or hostile). */
const MAX_VLAN_TAGS = 8;

/** Where the link decoder found the network layer (reused, never allocated per packet). */
export interface LinkResult {
  etherType: number;
  start: number;
}

/** Returns false when the frame is too short or carries no network protocol we read. */
export type LinkDecoder = (bytes: Uint8Array, start: number, end: number, out: LinkResult) => boolean;

/** IEEE 802.3 Ethernet II, with 802.1Q and 802.1ad (QinQ) tags stepped over. */
function ethernet(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  let at = start + 12;
  if (end - at < 2) return false;
  let etherType = u16be(bytes, at);
  for (let tags = 0; (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) && tags < MAX_VLAN_TAGS; tags++) {
    at += 4;
    if (end - at < 2) return false;
    etherType = u16be(bytes, at);
  }
  return vlanStepped(bytes, end, at + 2, etherType, out);
}

function vlanStepped(bytes: Uint8Array, end: number, at: number, etherType: number, out: LinkResult): boolean {
  // values below 0x0600 are 802.3 lengths (LLC frames): no IP for us there
  if (etherType < 0x0600) return false;
  out.etherType = etherType;
  out.start = at;
  return at <= end;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113): 16-byte header, protocol in the last two bytes. */
function linuxSll(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end - start < 16) return false;
  return sllProtocol(bytes, end, start + 16, u16be(bytes, start + 14), out);
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276, `tcpdump -i any`): 20-byte header, protocol first. */
function linuxSll2(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end - start < 20) return false;
  return sllProtocol(bytes, end, start + 20, u16be(bytes, start), out);
}

function sllProtocol(bytes: Uint8Array, end: number, at: number, protocol: number, out: LinkResult): boolean {
  if (protocol === ETHERTYPE_VLAN || protocol === ETHERTYPE_QINQ) {
    if (end - at < 4) return false;
    return sllProtocol(bytes, end, at + 4, u16be(bytes, at + 2), out);
  }
  return vlanStepped(bytes, end, at, protocol, out);
}

/** Raw IP (LINKTYPE_RAW 101, DLT_RAW 12/14 on some BSDs): the version nibble says which. */
function rawIp(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end <= start) return false;
  const version = bytes[start] >> 4;
  out.start = start;
  if (version === 4) out.etherType = ETHERTYPE_IPV4;
  else if (version === 6) out.etherType = ETHERTYPE_IPV6;
  else return false;
  return true;
}

function rawIpv4(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  out.etherType = ETHERTYPE_IPV4;
  out.start = start;
  return end > start;
}

function rawIpv6(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  out.etherType = ETHERTYPE_IPV6;
  out.start = start;
  return end > start;
}

/** BSD AF_ values for IPv6 differ by system (NetBSD 24, FreeBSD 28, Darwin 30, Linux 10). */
function familyToEtherType(family: number): number {
  if (family === 2) return ETHERTYPE_IPV4;
  if (family === 10 || family === 24 || family === 28 || family === 30) return ETHERTYPE_IPV6;
  return -1;
}

/** LINKTYPE_NULL (0): 4-byte address family in the byte order of the capturing host (unknown: try both). */
function bsdNull(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end - start < 4) return false;
  const little = u32le(bytes, start);
  const family = little < 256 ? little : u32be(bytes, start);
  return setFamily(family, start + 4, end, out);
}

/** LINKTYPE_LOOP (108): the same 4-byte family, always in network byte order. */
function bsdLoop(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end - start < 4) return false;
  return setFamily(u32be(bytes, start), start + 4, end, out);
}

function setFamily(family: number, at: number, end: number, out: LinkResult): boolean {
  const etherType = familyToEtherType(family);
  if (etherType < 0) return false;
  out.etherType = etherType;
  out.start = at;
  return at <= end;
}

const NFULA_PAYLOAD = 9;

/**
 * LINKTYPE_NFLOG (239, `tcpdump -i nflog:N`): family, version, resource id, then TLVs whose length and type are in
 * the capturing host's byte order (tried little-endian first, then big-endian); the packet is the NFULA_PAYLOAD TLV.
 */
function nflog(bytes: Uint8Array, start: number, end: number, out: LinkResult): boolean {
  if (end - start < 4) return false;
  const family = bytes[start];
  for (let at = start + 4; end - at >= 4; ) {
    let length = u16le(bytes, at);
    let type = u16le(bytes, at + 2);
    if (length < 4 || at + length > end) {
      length = u16be(bytes, at);
      type = u16be(bytes, at + 2);
      if (length < 4 || at + length > end) return false;
    }
    if (type === NFULA_PAYLOAD) return setFamily(family, at + 4, end, out);
    at += (length + 3) & ~3;
  }
  return false;
}

/** Decoders by LINKTYPE value. */
export const LINK_DECODERS: ReadonlyMap<number, LinkDecoder> = new Map<number, LinkDecoder>([
  [0, bsdNull],
  [1, ethernet],
  [12, rawIp],
  [14, rawIp],
  [101, rawIp],
  [108, bsdLoop],
  [113, linuxSll],
  [228, rawIpv4],
  [229, rawIpv6],
  [239, nflog],
  [276, linuxSll2],
]);

