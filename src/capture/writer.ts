/**
 * Writes chosen packets of a capture (or of several files read as one capture: merged by time and numbered across
 * them, as decodeCaptures' `asOneCapture` numbers them) to a new capture that tshark and Wireshark open
 * (`sipscope extract`): classic pcap when the packets come from one interface (nanosecond magic when the input had
 * finer than microsecond timestamps), pcapng with one interface per input interface otherwise (its link type and
 * if_name), so frames that two interfaces saw stay apart. Timestamps and bytes are kept as captured.
 * The chosen packets are held in memory until written (a call's packets, not a whole capture).
 */
import { writeFile } from 'node:fs/promises';
import { MergeHeap, type MergeSource } from './merge-heap.js';
import { openCaptures, type OpenedCapture } from './open-capture.js';
import { copyBytes, STEP_NEED_BYTES, STEP_PACKET, type PacketRecord } from './packet-record.js';
import { LINKTYPE_ETHERNET } from './protocol-numbers.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng-blocks.js';

interface KeptPacket {
  /** Which input interface saw it: see interfaceKey. */
  interfaceKey: string;
  interfaceName: string | undefined;
  linkType: number;
  timeUs: number;
  timeExtraNs: number;
  originalLength: number;
  bytes: Uint8Array;
}

const SNAPLEN = 262144;

export async function extractPackets(inputs: string[], packetNumbers: Set<number>, output: string): Promise<number> {
  const kept = await readChosen(inputs, packetNumbers);
  const interfaces = new Map<string, KeptPacket>();
  for (const packet of kept) if (!interfaces.has(packet.interfaceKey)) interfaces.set(packet.interfaceKey, packet);
  const nanosecond = kept.some((packet) => packet.timeExtraNs !== 0);
  const file = interfaces.size <= 1 ? pcapFile(kept, kept[0]?.linkType ?? LINKTYPE_ETHERNET, nanosecond) : pcapngFile(kept, [...interfaces.values()], nanosecond);
  await writeFile(output, file);
  return kept.length;
}

interface MergedInput extends MergeSource {
  capture: OpenedCapture;
}

/**
 * Reads the inputs merged by time (the heap decodeCaptures merges with) and keeps the chosen packets. Every input
 * opened is closed however the reading ends, a failing close not keeping the others open.
 */
async function readChosen(inputs: string[], packetNumbers: Set<number>): Promise<KeptPacket[]> {
  const kept: KeptPacket[] = [];
  let last = 0;
  for (const packetNumber of packetNumbers) last = Math.max(last, packetNumber);
  // the inputs decodeCaptures read, skipping the same unusable ones, so the packet numbers are the same
  const { captures } = await openCaptures(inputs, () => () => undefined);
  try {
    const heap = new MergeHeap<MergedInput>();
    for (const { index, capture } of captures) {
      const record = capture.reader.record;
      const source = { index, capture, currentTimeUs: () => record.timeUs, currentTimeExtraNs: () => record.timeExtraNs };
      if (await advance(capture)) heap.push(source);
    }
    let packetNumber = 0;
    for (let source = heap.peek(); source !== undefined && packetNumber < last; source = heap.peek()) {
      const record = source.capture.reader.record;
      if (packetNumbers.has(++packetNumber) && record.linkType >= 0) kept.push(keep(record));
      if (await advance(source.capture)) heap.topChanged();
      else heap.pop();
    }
  } finally {
    for (const { capture } of captures) await capture.close().catch(() => undefined);
  }
  return kept;
}

/**
 * Moves to the capture's next packet; false at its end. A read failure (a damaged gzip stream, an I/O error) ends
 * the input there, as decodeCaptures' refill ends it (the analysis reported it), so the packets are numbered alike.
 */
async function advance(capture: OpenedCapture): Promise<boolean> {
  for (;;) {
    const step = capture.reader.step();
    if (step === STEP_PACKET) return true;
    if (step !== STEP_NEED_BYTES) return false;
    try {
      await capture.reader.refill();
    } catch {
      return false;
    }
  }
}

/**
 * The interface a frame came from, the same across the files of a ring: its name when the capture gives one (a
 * dumpcap ring names eth0 in every file), else its pcapng interface id (0 in classic pcap); with its link type.
 */
function interfaceKey(record: PacketRecord): string {
  return `${record.interfaceName === undefined ? `#${record.interfaceId}` : `=${record.interfaceName}`}/${record.linkType}`;
}

function keep(record: PacketRecord): KeptPacket {
  return {
    interfaceKey: interfaceKey(record),
    interfaceName: record.interfaceName,
    linkType: record.linkType,
    timeUs: record.timeUs,
    timeExtraNs: record.timeExtraNs,
    originalLength: record.originalLength,
    bytes: copyBytes(record.bytes, record.start, record.end),
  };
}

/** draft-ietf-opsawg-pcap §4: little-endian header, then 16-byte record headers. */
function pcapFile(packets: KeptPacket[], linkType: number, nanosecond: boolean): Buffer {
  const size = 24 + packets.reduce((sum, packet) => sum + 16 + packet.bytes.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(SNAPLEN, 16);
  out.writeUInt32LE(linkType, 20);
  let at = 24;
  for (const packet of packets) {
    const seconds = Math.floor(packet.timeUs / 1e6);
    const micros = packet.timeUs - seconds * 1e6;
    out.writeUInt32LE(seconds, at);
    out.writeUInt32LE(nanosecond ? micros * 1000 + packet.timeExtraNs : micros, at + 4);
    out.writeUInt32LE(packet.bytes.length, at + 8);
    out.writeUInt32LE(packet.originalLength, at + 12);
    out.set(packet.bytes, at + 16);
    at += 16 + packet.bytes.length;
  }
  return out;
}

/**
 * draft-ietf-opsawg-pcapng: SHB, one IDB per input interface (`interfaces`: the first packet of each; its link type,
 * its if_name, if_tsresol 9 when nanoseconds matter), EPBs.
 */
function pcapngFile(packets: KeptPacket[], interfaces: KeptPacket[], nanosecond: boolean): Buffer {
  const blocks: Buffer[] = [sectionHeaderBlock()];
  for (const first of interfaces) blocks.push(interfaceDescriptionBlock(first.linkType, SNAPLEN, nanosecond, first.interfaceName));
  const ids = new Map(interfaces.map((first, id) => [first.interfaceKey, id]));
  for (const packet of packets) {
    const units = nanosecond ? BigInt(packet.timeUs) * 1000n + BigInt(packet.timeExtraNs) : BigInt(packet.timeUs);
    blocks.push(enhancedPacketBlock(ids.get(packet.interfaceKey)!, units, packet.bytes, packet.originalLength));
  }
  return Buffer.concat(blocks);
}
