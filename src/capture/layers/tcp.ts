/**
 * TCP (RFC 9293 §3.1): the header read into one reused segment, handed to the stream stage (tcp-reassembly.ts),
 * which puts segments back in order and reads the stream as SIP, WebSocket or HEP.
 */
import { malformed, type LayerServices, type LayerState } from '../layer-state.js';
import { LAYER_NONE, type LayerType } from '../layer-types.js';
import { u16be, u32be } from '../packet-record.js';
import { ipv4FlowKey } from '../tcp-flow-key.js';
import type { TcpSegment } from '../tcp-reassembly.js';

/**
 * One segment object reused for every TCP segment: the reassembler copies what it keeps (flow endpoints, held
 * segments, frame metadata) and never holds on to the segment itself, so no allocation per segment is needed.
 */
const segment: TcpSegment = {
  file: '',
  packetNumber: 0,
  timeUs: 0,
  offset: 0,
  src: { ip: '', port: 0 },
  dst: { ip: '', port: 0 },
  seq: 0,
  ack: 0,
  flags: 0,
  payload: new Uint8Array(0),
  flowKey: undefined,
};

export function decodeTcp(packet: LayerState, services: LayerServices): LayerType {
  const { bytes, start, end, frame } = packet;
  if (end - start < 20) return malformed(packet, services, 'TCP header');
  const headerLength = (bytes[start + 12] >> 4) * 4;
  if (headerLength < 20 || headerLength > end - start) return malformed(packet, services, 'TCP header length');
  segment.file = frame.file;
  segment.packetNumber = frame.packetNumber;
  segment.timeUs = frame.timeUs;
  segment.offset = frame.offset;
  segment.src.ip = packet.sourceIp();
  segment.src.port = u16be(bytes, start);
  segment.dst.ip = packet.destinationIp();
  segment.dst.port = u16be(bytes, start + 2);
  const { ip } = packet;
  segment.flowKey = ip.version === 4 ? ipv4FlowKey(ip.addressBytes, ip.srcAt, ip.dstAt, segment.src.port, segment.dst.port) : undefined;
  segment.seq = u32be(bytes, start + 4);
  segment.ack = u32be(bytes, start + 8);
  segment.flags = bytes[start + 13];
  segment.payload = bytes.subarray(start + headerLength, end);
  services.streams.tcpSegment(segment);
  return LAYER_NONE;
}
