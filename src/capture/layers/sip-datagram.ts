/**
 * A UDP payload read as SIP (RFC 3261 §18.3: one message per datagram) when it starts with a SIP start line
 * (§7.1, §7.2); the message leaves the decoder with its frames, time, addresses and ports.
 */
import type { LayerServices, LayerState } from '../layer-state.js';
import { LAYER_NONE, type LayerType } from '../layer-types.js';
import { keepBytes } from '../packet-record.js';
import { sipStartLineAt, START_LINE_YES } from '../tcp-start-line.js';
import type { SipPayload } from '../types.js';

export function decodeSipDatagram(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end, frame } = packet;
  if (sipStartLineAt(bytes, start, end) !== START_LINE_YES) return LAYER_NONE;
  const payload: SipPayload = {
    file: frame.file,
    packetNumber: frame.packetNumber,
    packets: packet.packets(),
    timeUs: frame.timeUs,
    src: packet.sourceEndpoint(),
    dst: packet.destinationEndpoint(),
    transport: 'udp',
    bytes: keepBytes(bytes, start, end),
  };
  // set only when true (the JSON of decode lists it only then); a literal, not a spread: a spread in the literal
  // made every message's payload build slowly
  if (packet.ip.quoted) payload.icmpQuote = true;
  services.sink.message(payload);
  return LAYER_NONE;
}
