/**
 * Test-only minimal classic-pcap walker for the transport-layer tests (TCP, WebSocket, SCTP, HEP): reads a
 * capture from disk and yields each packet's layer-4 header fields and payload. Deliberately small and independent
 * of src/capture's container and link decoders so these tests exercise only the module under test.
 * Handles Ethernet (+802.1Q), Linux SLL, raw IP; IPv4 (unfragmented) and IPv6 without extension headers.
 */
import { readFileSync } from 'node:fs';
import type { Endpoint } from '../../src/capture/types.js';
import type { TcpSegment } from '../../src/capture/tcp-reassembly.js';

export interface CapturedPacket {
  packetNumber: number;
  timeUs: number;
  /** File offset of the pcap record header. */
  offset: number;
  protocol: number;
  srcIp: string;
  dstIp: string;
  /** Layer-4 bytes (header + payload). */
  l4: Uint8Array;
}

function ipv6Text(bytes: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[at + i] << 8) | bytes[at + i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function readCapturePackets(path: string): CapturedPacket[] {
  const file = readFileSync(path);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = view.getUint32(20, little);
  const packets: CapturedPacket[] = [];
  let offset = 24;
  let packetNumber = 0;
  while (offset + 16 <= file.length) {
    const seconds = view.getUint32(offset, little);
    const fraction = view.getUint32(offset + 4, little);
    const captured = view.getUint32(offset + 8, little);
    const frame = file.subarray(offset + 16, offset + 16 + captured);
    packetNumber++;
    const timeUs = seconds * 1e6 + (nano ? Math.floor(fraction / 1000) : fraction);
    const ip = networkLayer(frame, linkType);
    if (ip) packets.push({ packetNumber, timeUs, offset, ...ip });
    offset += 16 + captured;
  }
  return packets;
}

function networkLayer(frame: Uint8Array, linkType: number): Omit<CapturedPacket, 'packetNumber' | 'timeUs' | 'offset'> | undefined {
  let at: number;
  let etherType: number;
  if (linkType === 1) {
    at = 14;
    etherType = (frame[12] << 8) | frame[13];
    while (etherType === 0x8100 || etherType === 0x88a8) {
      etherType = (frame[at + 2] << 8) | frame[at + 3];
      at += 4;
    }
  } else if (linkType === 113) {
    at = 16;
    etherType = (frame[14] << 8) | frame[15];
  } else if (linkType === 101) {
    at = 0;
    etherType = frame[0] >> 4 === 6 ? 0x86dd : 0x0800;
  } else {
    throw new Error(`test helper: link type ${linkType} not handled`);
  }
  if (etherType === 0x0800) {
    const headerLength = (frame[at] & 0x0f) * 4;
    const totalLength = (frame[at + 2] << 8) | frame[at + 3];
    const dotted = (p: number) => `${frame[p]}.${frame[p + 1]}.${frame[p + 2]}.${frame[p + 3]}`;
    return {
      protocol: frame[at + 9],
      srcIp: dotted(at + 12),
      dstIp: dotted(at + 16),
      l4: frame.subarray(at + headerLength, Math.min(frame.length, at + totalLength)),
    };
  }
  if (etherType === 0x86dd) {
    const payloadLength = (frame[at + 4] << 8) | frame[at + 5];
    return {
      protocol: frame[at + 6],
      srcIp: ipv6Text(frame, at + 8),
      dstIp: ipv6Text(frame, at + 24),
      l4: frame.subarray(at + 40, Math.min(frame.length, at + 40 + payloadLength)),
    };
  }
  return undefined;
}

/** TCP segments of a capture, in capture order, as the pipeline hands them to TcpReassembler. */
export function readTcpSegments(path: string, file = path): TcpSegment[] {
  const segments: TcpSegment[] = [];
  for (const packet of readCapturePackets(path)) {
    if (packet.protocol !== 6) continue;
    const l4 = packet.l4;
    const src: Endpoint = { ip: packet.srcIp, port: (l4[0] << 8) | l4[1] };
    const dst: Endpoint = { ip: packet.dstIp, port: (l4[2] << 8) | l4[3] };
    const seq = ((l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8) | l4[7]) >>> 0;
    const ack = ((l4[8] << 24) | (l4[9] << 16) | (l4[10] << 8) | l4[11]) >>> 0;
    const dataOffset = (l4[12] >> 4) * 4;
    segments.push({
      file,
      packetNumber: packet.packetNumber,
      timeUs: packet.timeUs,
      offset: packet.offset,
      src,
      dst,
      seq,
      ack,
      flags: l4[13] & 0x1f,
      payload: l4.subarray(dataOffset),
    });
  }
  return segments;
}
