/**
 * Every layer type registered once with its decoder (gopacket's layers/layertypes.go), and link types with theirs.
 * The layer modules (src/capture/layers/) never import each other: this table is the only place that joins them.
 */
import type { LayerDecoder } from './layer-state.js';
import {
  LAYER_COUNT,
  LAYER_HEP,
  LAYER_ICMPV4,
  LAYER_ICMPV6,
  LAYER_IPV4,
  LAYER_IPV6,
  LAYER_IPV6_AUTH,
  LAYER_IPV6_EXTENSION,
  LAYER_IPV6_FRAGMENT,
  LAYER_NONE,
  LAYER_SCTP,
  LAYER_SIP_DATAGRAM,
  LAYER_TCP,
  LAYER_UDP,
} from './layer-types.js';
import { decodeHepLayer } from './layers/hep.js';
import { decodeIcmpv4, decodeIcmpv6 } from './layers/icmp.js';
import { decodeIpv4 } from './layers/ipv4.js';
import { decodeIpv6, decodeIpv6Auth, decodeIpv6Extension, decodeIpv6Fragment } from './layers/ipv6.js';
import { decodeSctpLayer } from './layers/sctp.js';
import { decodeSipDatagram } from './layers/sip-datagram.js';
import { decodeTcp } from './layers/tcp.js';
import { decodeUdp } from './layers/udp.js';

export { LINK_DECODERS } from './layers/link.js';

const notDecoded: LayerDecoder = () => LAYER_NONE;

function registry(entries: Array<[number, LayerDecoder]>): readonly LayerDecoder[] {
  const table = new Array<LayerDecoder>(LAYER_COUNT).fill(notDecoded);
  for (const [layer, decoder] of entries) {
    if (table[layer] !== notDecoded) throw new Error(`layer type ${layer} registered twice`);
    table[layer] = decoder;
  }
  return table;
}

/** Decoder of each layer type, indexed by it. */
export const LAYER_DECODERS = registry([
  [LAYER_IPV4, decodeIpv4],
  [LAYER_IPV6, decodeIpv6],
  [LAYER_IPV6_EXTENSION, decodeIpv6Extension],
  [LAYER_IPV6_AUTH, decodeIpv6Auth],
  [LAYER_IPV6_FRAGMENT, decodeIpv6Fragment],
  [LAYER_ICMPV4, decodeIcmpv4],
  [LAYER_ICMPV6, decodeIcmpv6],
  [LAYER_UDP, decodeUdp],
  [LAYER_TCP, decodeTcp],
  [LAYER_SCTP, decodeSctpLayer],
  [LAYER_HEP, decodeHepLayer],
  [LAYER_SIP_DATAGRAM, decodeSipDatagram],
]);
