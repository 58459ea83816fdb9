/**
 * A UDP payload read as SIP (RFC 3261 §18.3: one message per datagram) when it starts with a SIP start line
 * (§7.1, §7.2); the message leaves the decoder with its frames, time, addresses and ports. A datagram that is only a
 * start line without its CRLF is read too (tshark shows it), and reported.
 */
import { reportIssue, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_NONE, type LayerType } from '../layer-types.js';
import { keepBytes } from '../packet-record.js';
import { sipStartLineAt, START_LINE_MORE, START_LINE_YES, startLineWithoutLineEnd } from '../tcp-start-line.js';
import type { SipPayload } from '../types.js';

export function decodeSipDatagram(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end, frame } = packet;
  const startLine = sipStartLineAt(bytes, start, end);
  if (startLine !== START_LINE_YES) {
    // the datagram ends where the start line's CRLF should be: a message cut short (or sent so), still a SIP message
    if (startLine !== START_LINE_MORE || !startLineWithoutLineEnd(bytes, start, end)) return LAYER_NONE;
    reportIssue(packet, services, 'sip-no-line-end', 'SIP datagram that is only a start line, without its CRLF and header fields (RFC 3261 §7); read as it is');
  }
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
