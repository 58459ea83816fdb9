/**
 * HEP carried in UDP (HOMER encapsulation, decoded by ../hep.ts): the encapsulated SIP messages come out with
 * the addresses, ports and time HEP says. A payload that only looked like HEP is read as a SIP datagram instead.
 */
import { decodeHep } from '../hep.js';
import type { LayerServices, LayerState } from '../layer-state.js';
import { LAYER_NONE, LAYER_SIP_DATAGRAM, type LayerType } from '../layer-types.js';

export function decodeHepLayer(packet: LayerState, services: LayerServices): LayerType {
  const isHep = decodeHep(packet.bytes.subarray(packet.start, packet.end), packet.frame, services.sink);
  return isHep ? LAYER_NONE : LAYER_SIP_DATAGRAM;
}
