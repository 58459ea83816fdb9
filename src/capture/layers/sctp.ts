/**
 * SCTP (RFC 9260 §3.1): the common header checked, the packet handed to the stream stage (../sctp.ts), which
 * reads its chunks and puts fragmented user messages back together (RFC 4168: SIP over SCTP).
 */
import { malformed, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_NONE, type LayerType } from '../layer-types.js';

const SCTP_COMMON_HEADER_BYTES = 12;

export function decodeSctpLayer(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end, frame } = packet;
  if (end - start < SCTP_COMMON_HEADER_BYTES) return malformed(packet, services, 'SCTP common header');
  services.streams.sctp(bytes.subarray(start, end), {
    file: frame.file,
    packetNumber: frame.packetNumber,
    timeUs: frame.timeUs,
    offset: frame.offset,
    src: packet.sourceIp(),
    dst: packet.destinationIp(),
  });
  return LAYER_NONE;
}
