/**
 * Classic pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/): 24-byte file header, then records of
 * a 16-byte header and the captured bytes. Either byte order; microsecond (0xA1B2C3D4) or nanosecond
 * (0xA1B23C4D) timestamps. A corrupt record length is resynchronised by scanning for two consecutive plausible
 * record headers; a truncated last record is reported.
 */
import type { ChunkReader } from './chunk-reader.js';
import {
  newPacketRecord,
  STEP_END,
  STEP_NEED_BYTES,
  STEP_PACKET,
  u32be,
  u32le,
  type ContainerIssue,
  type PacketReader,
} from './packet-record.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** Wireshark's largest standard packet (WTAP_MAX_PACKET_SIZE_STANDARD); bigger lengths mean corruption. */
const MAX_PLAUSIBLE_CAPLEN = 262144;
/** How far we scan for the next good record after a corrupt one before giving up on the file. */
const RESYNC_SCAN_BYTES = 4 * 1024 * 1024;

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  snaplen: number;
  linkType: number;
}

/** Reads the file header from the first 24 bytes, or undefined when the magic is not pcap's. */
export function parsePcapHeader(bytes: Uint8Array, at: number): PcapHeader | undefined {
  const le = u32le(bytes, at);
  const littleEndian = le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO;
  const magic = littleEndian ? le : u32be(bytes, at);
  if (magic !== PCAP_MAGIC_MICRO && magic !== PCAP_MAGIC_NANO) return undefined;
  const u32 = littleEndian ? u32le : u32be;
  // The link type is in the low 16 bits; the upper bits hold FCS information (draft-ietf-opsawg-pcap §4).
  return { littleEndian, nanosecond: magic === PCAP_MAGIC_NANO, snaplen: u32(bytes, at + 16), linkType: u32(bytes, at + 20) & 0xffff };
}

export class PcapReader implements PacketReader {
  readonly format = 'pcap';
  readonly record = newPacketRecord();
  private readonly u32: (b: Uint8Array, i: number) => number;
  private readonly maxCaplen: number;
  private wanted = 0;
  /** File offset where the resync scan continues, -1 when not resynchronising. */
  private resyncFrom = -1;
  private resyncStart = 0;
  private lastTimeSeconds = -1;

  constructor(
    private readonly chunks: ChunkReader,
    readonly header: PcapHeader,
    private readonly issue: ContainerIssue,
  ) {
    this.u32 = header.littleEndian ? u32le : u32be;
    this.maxCaplen = Math.max(MAX_PLAUSIBLE_CAPLEN, Math.min(header.snaplen, 16 * 1024 * 1024));
    this.record.linkType = header.linkType;
    chunks.pos += FILE_HEADER_BYTES;
  }

  async refill(): Promise<void> {
    await this.chunks.fill(this.wanted);
  }

  step(): number {
    const chunks = this.chunks;
    if (this.resyncFrom >= 0) return this.resync();
    const available = chunks.available;
    if (available < RECORD_HEADER_BYTES) return this.needOrEnd(RECORD_HEADER_BYTES, available);
    const b = chunks.buffer;
    const at = chunks.pos;
    const caplen = this.u32(b, at + 8);
    if (!this.plausibleHeader(b, at)) {
      this.issue('bad-record-length', `pcap record header is corrupt (captured length ${caplen})`, this.record.packetNumber + 1, chunks.offsetOf(at));
      this.resyncStart = chunks.offsetOf(at);
      this.resyncFrom = this.resyncStart + 1;
      return this.resync();
    }
    if (available < RECORD_HEADER_BYTES + caplen) return this.needOrEnd(RECORD_HEADER_BYTES + caplen, available);
    const record = this.record;
    const seconds = this.u32(b, at);
    const fraction = this.u32(b, at + 4);
    this.lastTimeSeconds = seconds;
    record.packetNumber++;
    if (this.header.nanosecond) {
      record.timeUs = seconds * 1e6 + Math.floor(fraction / 1000);
      record.timeExtraNs = fraction % 1000;
    } else {
      record.timeUs = seconds * 1e6 + fraction;
    }
    record.bytes = b;
    record.start = at + RECORD_HEADER_BYTES;
    record.end = record.start + caplen;
    record.originalLength = this.u32(b, at + 12);
    record.offset = chunks.offsetOf(at);
    chunks.pos = record.end;
    return STEP_PACKET;
  }

  private needOrEnd(wanted: number, available: number): number {
    if (!this.chunks.eof) {
      this.wanted = wanted;
      return STEP_NEED_BYTES;
    }
    if (available > 0) {
      this.issue(
        'truncated-file',
        `file ends inside a packet record (${available} of ${wanted} bytes present)`,
        this.record.packetNumber + 1,
        this.chunks.offsetOf(this.chunks.pos),
      );
      this.chunks.pos = this.chunks.end;
    }
    return STEP_END;
  }

  private plausibleHeader(b: Uint8Array, at: number): boolean {
    const caplen = this.u32(b, at + 8);
    const fraction = this.u32(b, at + 4);
    if (caplen > this.maxCaplen) return false;
    return fraction < (this.header.nanosecond ? 1e9 : 1e6);
  }

  /** A plausible header close in time to the last good one, followed by another plausible header or the end. */
  private resync(): number {
    const chunks = this.chunks;
    const b = chunks.buffer;
    for (let at = this.resyncFrom - chunks.base; ; at++) {
      if (chunks.offsetOf(at) - this.resyncStart > RESYNC_SCAN_BYTES) return this.giveUp(at);
      const lookahead = 2 * RECORD_HEADER_BYTES + this.maxCaplen;
      if (chunks.end - at < lookahead && !chunks.eof) {
        // everything before `at` was rejected: drop it and read on
        chunks.pos = at;
        this.resyncFrom = chunks.offsetOf(at);
        this.wanted = lookahead;
        return STEP_NEED_BYTES;
      }
      if (chunks.end - at < RECORD_HEADER_BYTES) return this.giveUp(at);
      if (!this.plausibleHeader(b, at)) continue;
      const seconds = this.u32(b, at);
      if (this.lastTimeSeconds >= 0 && Math.abs(seconds - this.lastTimeSeconds) > 86400) continue;
      const next = at + RECORD_HEADER_BYTES + this.u32(b, at + 8);
      const endsExactly = next === chunks.end && chunks.eof;
      if (!endsExactly && (chunks.end - next < RECORD_HEADER_BYTES || !this.plausibleHeader(b, next))) continue;
      this.issue('resynchronised', `skipped ${chunks.offsetOf(at) - this.resyncStart + 1} corrupt bytes; decoding goes on here`, undefined, chunks.offsetOf(at));
      chunks.pos = at;
      this.resyncFrom = -1;
      return this.step();
    }
  }

  private giveUp(at: number): number {
    this.issue('resync-failed', 'no plausible pcap record found after a corrupt one; rest of the file skipped', undefined, this.chunks.offsetOf(at));
    this.chunks.pos = this.chunks.end;
    this.chunks.eof = true;
    this.resyncFrom = -1;
    return STEP_END;
  }
}
