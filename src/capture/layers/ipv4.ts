/**
 * IPv4 (RFC 791 §3.1): header checks, the addresses later layers report, and fragments (§3.2) handed to the
 * fragment table; the window moves to the payload (the reassembled one when this fragment completed it).
 */
import { ipPayloadLayer, malformed, reassembleFragment, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_NONE, layerOfIpProtocol, type LayerType } from '../layer-types.js';
import { u16be, u32be } from '../packet-record.js';

const MORE_FRAGMENTS = 0x2000;
const FRAGMENT_OFFSET = 0x1fff;

export function decodeIpv4(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end } = packet;
  if (end - start < 20 || bytes[start] >> 4 !== 4) return malformed(packet, services, 'IPv4 header');
  const headerLength = (bytes[start] & 0x0f) * 4;
  const totalLength = u16be(bytes, start + 2);
  if (headerLength < 20 || end - start < headerLength) return malformed(packet, services, 'IPv4 header length');
  // total length 0: a segment captured before TCP segmentation offload filled it in; the frame ends the packet
  if (totalLength !== 0 && totalLength < headerLength) return malformed(packet, services, 'IPv4 total length');
  // Ethernet pads short frames: the IP total length says where the packet really ends
  const packetEnd = totalLength === 0 ? end : Math.min(end, start + totalLength);
  packet.addresses(4, bytes, start + 12, start + 16);
  const protocol = bytes[start + 9];
  const flagsAndOffset = u16be(bytes, start + 6);
  const moreFragments = (flagsAndOffset & MORE_FRAGMENTS) !== 0;
  const fragmentOffset = (flagsAndOffset & FRAGMENT_OFFSET) * 8;
  // an ICMP error quotes the start of one fragment: read what is there, never feed the reassembly table
  if ((!moreFragments && fragmentOffset === 0) || (packet.ip.quoted && fragmentOffset === 0)) {
    packet.window(bytes, start + headerLength, packetEnd);
    return ipPayloadLayer(packet, services, layerOfIpProtocol(protocol));
  }
  if (packet.ip.quoted) return LAYER_NONE;
  const key = `4|${u32be(bytes, start + 12)}|${u32be(bytes, start + 16)}|${protocol}|${u16be(bytes, start + 4)}`;
  return reassembleFragment(packet, services, key, fragmentOffset, !moreFragments, start + headerLength, packetEnd, layerOfIpProtocol(protocol));
}
