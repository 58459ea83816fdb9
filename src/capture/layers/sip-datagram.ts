/**
 * A UDP payload read as SIP (RFC 3261 §18.3: one message per datagram) when it starts with a SIP start line
 * (§7.1, §7.2); the message leaves the decoder with its frames, time, addresses and ports. A datagram that is SIP but
 * not whole (only a start line, no blank line after its header fields, bare CR line ends: sip-datagram-payload.ts)
 * is read too (tshark shows it), and reported, unless the snapshot length cut it (reported as `truncated-packet`).
 */
import { reportIssue, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_NONE, type LayerType } from '../layer-types.js';
import { keepBytes } from '../packet-record.js';
import { sipPayloadDamage, sipPayloadEnd, sipPayloadStart, SIP_PAYLOAD_NOT_SIP, SIP_PAYLOAD_WHOLE } from '../sip-datagram-payload.js';
import type { SipPayload } from '../types.js';

export function decodeSipDatagram(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end, frame } = packet;
  const startKind = sipPayloadStart(bytes, start, end);
  if (startKind === SIP_PAYLOAD_NOT_SIP) return LAYER_NONE;
  const kept = keepBytes(bytes, start, end);
  // its end read from the copy, just written: the window's bytes may have left the cache (sipPayloadKind in two)
  const kind = startKind === SIP_PAYLOAD_WHOLE ? sipPayloadEnd(kept, 0, kept.length) : startKind;
  if (kind !== SIP_PAYLOAD_WHOLE && !packet.truncated) {
    const damage = sipPayloadDamage(kind)!;
    reportIssue(packet, services, damage.code, damage.message);
  }
  const payload: SipPayload = {
    file: frame.file,
    packetNumber: frame.packetNumber,
    packets: packet.packets(),
    timeUs: frame.timeUs,
    src: packet.sourceEndpoint(),
    dst: packet.destinationEndpoint(),
    transport: 'udp',
    bytes: kept,
  };
  // set only when true (the JSON of decode lists it only then); a literal, not a spread: a spread in the literal
  // made every message's payload build slowly
  if (packet.ip.quoted) payload.icmpQuote = true;
  services.sink.message(payload);
  return LAYER_NONE;
}
