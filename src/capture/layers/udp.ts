/**
 * UDP (RFC 768): ports for the layers above, the window moved to the payload, and which layer reads it: HEP
 * (HOMER encapsulation, told by its magic or HEP1/2's fixed header) or a SIP datagram (any port: a payload is SIP
 * when it starts with a SIP start line, as tshark's heuristic).
 */
import { malformed, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_HEP, LAYER_NONE, LAYER_SIP_DATAGRAM, type LayerType } from '../layer-types.js';
import { u16be, u32be } from '../packet-record.js';
import { AF_INET, AF_INET6_LINUX } from '../protocol-numbers.js';

const HEP3_MAGIC = 0x48455033; // "HEP3"
const EEP1_MAGIC = 0x45455031; // "EEP1", HEP3's other name
const UDP_HEADER_BYTES = 8;
/** HEP1 and HEP2 start with their version number. */
const HEP_VERSION_1 = 1;
const HEP_VERSION_2 = 2;

export function decodeUdp(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < UDP_HEADER_BYTES) return malformed(packet, services, 'UDP header');
  const length = u16be(bytes, start + 4);
  // length 0 happens on IPv6 jumbograms and with some offloads: use the IP payload end then
  const payloadEnd = length >= UDP_HEADER_BYTES ? Math.min(end, start + length) : end;
  const payloadStart = start + UDP_HEADER_BYTES;
  if (payloadEnd <= payloadStart) return LAYER_NONE;
  packet.srcPort = u16be(bytes, start);
  packet.dstPort = u16be(bytes, start + 2);
  packet.window(bytes, payloadStart, payloadEnd);
  const first = bytes[payloadStart];
  const magic = payloadEnd - payloadStart >= 4 ? u32be(bytes, payloadStart) : 0;
  if (magic === HEP3_MAGIC || magic === EEP1_MAGIC || ((first === HEP_VERSION_1 || first === HEP_VERSION_2) && looksLikeHep1or2(bytes, payloadStart, payloadEnd))) return LAYER_HEP;
  return LAYER_SIP_DATAGRAM;
}

/**
 * HEP v1/v2 fixed header: version, header length 16 (IPv4) or 40 (IPv6), address family AF_INET 2 / AF_INET6 10.
 * Checked here so that media whose first byte happens to be 1 or 2 (T.38 UDPTL starts with a sequence number)
 * costs no HEP decoding and no allocation.
 */
function looksLikeHep1or2(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 16) return false;
  const headerLength = bytes[start + 1];
  const family = bytes[start + 2];
  return (family === AF_INET && headerLength === 16) || (family === AF_INET6_LINUX && headerLength === 40);
}
