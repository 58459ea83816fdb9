/**
 * The layer types of capture decoding, each registered once (as gopacket's layers/layertypes.go), and how the
 * numbers a layer reads (ethertype, IP protocol, IPv6 next header) name the layer that decodes what follows.
 * A layer decoder returns one of these; the loop in packet-decoder.ts picks the next decoder by it.
 */
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_MOBILITY,
  IPPROTO_ROUTING,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from './protocol-numbers.js';

/** Nothing more to decode in this packet (also: not a protocol that carries SIP). */
export const LAYER_NONE = 0;
export const LAYER_IPV4 = 1;
export const LAYER_IPV6 = 2;
/** IPv6 hop-by-hop, routing, destination options and mobility headers (RFC 8200 §4.3-4.6, RFC 6275): one shape. */
export const LAYER_IPV6_EXTENSION = 3;
/** IPv6 authentication header (RFC 4302): its length counts 4-octet units. */
export const LAYER_IPV6_AUTH = 4;
export const LAYER_IPV6_FRAGMENT = 5;
export const LAYER_ICMPV4 = 6;
export const LAYER_ICMPV6 = 7;
export const LAYER_UDP = 8;
export const LAYER_TCP = 9;
export const LAYER_SCTP = 10;
/** A UDP payload that carries HEP (HOMER encapsulation). */
export const LAYER_HEP = 11;
/** A UDP payload read as one SIP message (RFC 3261 §18.3: one message per datagram). */
export const LAYER_SIP_DATAGRAM = 12;
/** One past the largest layer type: the size of the decoder table. */
export const LAYER_COUNT = 13;

export type LayerType = number;

/** The network layer an ethertype announces; IPv4 and IPv6 only (ARP, LLDP, ... carry no SIP). */
export function layerOfEtherType(etherType: number): LayerType {
  if (etherType === ETHERTYPE_IPV4) return LAYER_IPV4;
  if (etherType === ETHERTYPE_IPV6) return LAYER_IPV6;
  return LAYER_NONE;
}

/** The layer an IP protocol number announces (IPv4 protocol field, last IPv6 next header). */
export function layerOfIpProtocol(protocol: number): LayerType {
  switch (protocol) {
    case IPPROTO_UDP:
      return LAYER_UDP;
    case IPPROTO_TCP:
      return LAYER_TCP;
    case IPPROTO_SCTP:
      return LAYER_SCTP;
    case IPPROTO_ICMP:
      return LAYER_ICMPV4;
    case IPPROTO_ICMPV6:
      return LAYER_ICMPV6;
    case IPPROTO_IPIP:
      return LAYER_IPV4;
    case IPPROTO_IPV6:
      return LAYER_IPV6;
    default:
      return LAYER_NONE;
  }
}

/** The layer an IPv6 next-header value announces: an extension header (RFC 8200 §4), else as layerOfIpProtocol. */
export function layerOfIpv6NextHeader(nextHeader: number): LayerType {
  switch (nextHeader) {
    case IPPROTO_HOPOPTS:
    case IPPROTO_ROUTING:
    case IPPROTO_DSTOPTS:
    case IPPROTO_MOBILITY:
      return LAYER_IPV6_EXTENSION;
    case IPPROTO_AH:
      return LAYER_IPV6_AUTH;
    case IPPROTO_FRAGMENT:
      return LAYER_IPV6_FRAGMENT;
    default:
      return layerOfIpProtocol(nextHeader);
  }
}

export function isIpLayer(layer: LayerType): boolean {
  return layer === LAYER_IPV4 || layer === LAYER_IPV6;
}

export function isIpv6ExtensionLayer(layer: LayerType): boolean {
  return layer === LAYER_IPV6_EXTENSION || layer === LAYER_IPV6_AUTH || layer === LAYER_IPV6_FRAGMENT;
}
