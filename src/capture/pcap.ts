/**
 * Classic pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/): 24-byte file header, then records of
 * a 16-byte header and the captured bytes. Either byte order; microsecond (0xA1B2C3D4) or nanosecond
 * (0xA1B23C4D) timestamps. A record header that cannot be right (§5: the captured length is at most the original
 * length and the file's SnapLen; the timestamp fraction is below one second) is reported where it is, and reading
 * resynchronises by scanning for two consecutive plausible record headers (as pcapfix does), from just after the
 * record before it, whose length may be the wrong one; a truncated last record is reported. A timestamp more than a
 * day from the record before is damage only when a record that keeps the earlier time begins nearby (bytes lost put
 * every header after them a few bytes late); else the capture's clock jumped and the record is read. One record
 * whose time alone is far from both its neighbours (its lengths right, the record after it where they say, in time
 * with the record before) has a corrupt timestamp (a flipped bit of its seconds): it is read and reported
 * (`bad-timestamp`), at the time of the record before it, so that no clock after the reader (fragment and TCP
 * expiry, the merge of several files, the analysis's expiry of transactions and calls) jumps years for one packet.
 */
import type { ChunkReader } from './chunk-reader.js';
import type { HeaderCut } from './errors.js';
import { aloneInTime, corruptTimestampMessage, MAX_TIME_JUMP_SECONDS } from './corrupt-timestamp.js';
import {
  newPacketRecord,
  STEP_END,
  STEP_NEED_BYTES,
  STEP_PACKET,
  u32be,
  u32le,
  type ContainerIssue,
  type ContainerPlace,
  type PacketReader,
} from './packet-record.js';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/**
 * secondLook's answer "read the record as it stands"; any other answer is the step's own (a resync that found the
 * next record has read it already: the record refused must not be read after it).
 */
const READ_AS_IS = 2;
/** Wireshark's largest standard packet (WTAP_MAX_PACKET_SIZE_STANDARD); bigger lengths mean corruption. */
const MAX_PLAUSIBLE_CAPLEN = 262144;
/** How far we scan for the next good record after a corrupt one before giving up on the file. */
const RESYNC_SCAN_BYTES = 4 * 1024 * 1024;
/*
 * A record whose timestamp is further than MAX_TIME_JUMP_SECONDS from the one before it gets a second look: a record
 * header read where none begins (4 bytes of the file lost) has the microseconds for seconds, or a length for
 * microseconds, and the records after it are read just as wrongly, each plausible on its own (tshark and editcap
 * read them all).
 */

export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  snaplen: number;
  linkType: number;
}

/** Whether bytes[at..at+4) are one of pcap's magic numbers, in either byte order. */
export function isPcapMagic(bytes: Uint8Array, at: number): boolean {
  const le = u32le(bytes, at);
  const be = u32be(bytes, at);
  return le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO || be === PCAP_MAGIC_MICRO || be === PCAP_MAGIC_NANO;
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

/** The fields of the file header (draft-ietf-opsawg-pcap §4), as [first byte, last byte, name]. */
const FILE_HEADER_FIELDS: Array<[number, number, string]> = [
  [0, 3, 'magic number'],
  [4, 7, 'major and minor version'],
  [8, 15, 'reserved fields'],
  [16, 19, 'snapshot length'],
  [20, 23, 'link type'],
];

/** Where a file header cut after `presentBytes` (4 to 23) bytes is cut: the field the input ends in. */
export function pcapHeaderCut(presentBytes: number): HeaderCut {
  const [fieldStart, fieldEnd, field] = FILE_HEADER_FIELDS.find(([, last]) => presentBytes <= last)!;
  return { presentBytes, field, fieldStart, fieldEnd, headerBytes: FILE_HEADER_BYTES, atLeast: false };
}

export class PcapReader implements PacketReader {
  readonly format = 'pcap';
  readonly record = newPacketRecord();
  private readonly u32: (b: Uint8Array, i: number) => number;
  private readonly maxCaplen: number;
  /** Largest captured length read without a second look: the snaplen, until the file shows its writer ignores it. */
  private caplenLimit: number;
  /** Timestamp fractions are below one second: 10^6 microseconds or 10^9 nanoseconds. */
  private readonly fractionLimit: number;
  private wanted = 0;
  /** File offset where the resync scan continues, -1 when not resynchronising. */
  private resyncFrom = -1;
  private resyncStart = 0;
  /**
   * While resynchronising after a time jump: the offset of the record that jumped, which is read after all (a clock
   * that jumped, not damage) when no record that keeps the time before it begins up to `resyncUntil`; else -1.
   */
  private jumpAt = -1;
  private resyncUntil = -1;
  /** Offset where the record that jumped ends: a record found there is not where reading goes on. */
  private jumpNext = -1;
  /** What is wrong with the record that jumped, reported only if it is damage after all. */
  private jumpDamage = '';
  /** Offset of a record whose time jump was found to be the clock's: read without a second look. */
  private trustedAt = -1;
  private lastTimeSeconds = -1;

  constructor(
    private readonly chunks: ChunkReader,
    readonly header: PcapHeader,
    private readonly issue: ContainerIssue,
  ) {
    this.u32 = header.littleEndian ? u32le : u32be;
    this.maxCaplen = Math.max(MAX_PLAUSIBLE_CAPLEN, Math.min(header.snaplen, 16 * 1024 * 1024));
    // a snaplen of 0 says nothing (some writers leave it unset)
    this.caplenLimit = header.snaplen > 0 ? Math.min(header.snaplen, this.maxCaplen) : this.maxCaplen;
    this.fractionLimit = header.nanosecond ? 1e9 : 1e6;
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
    const originalLength = this.u32(b, at + 12);
    const fraction = this.u32(b, at + 4);
    const seconds = this.u32(b, at);
    const lastSeconds = this.lastTimeSeconds;
    // the normal path: four comparisons; anything unusual gets a second look
    if (
      caplen > this.caplenLimit ||
      caplen > originalLength ||
      fraction >= this.fractionLimit ||
      (lastSeconds >= 0 && Math.abs(seconds - lastSeconds) > MAX_TIME_JUMP_SECONDS)
    ) {
      const verdict = this.secondLook(b, at, caplen, available);
      if (verdict !== READ_AS_IS) return verdict;
    }
    if (available < RECORD_HEADER_BYTES + caplen) return this.needOrEnd(RECORD_HEADER_BYTES + caplen, available);
    const record = this.record;
    this.lastTimeSeconds = seconds;
    // the record read now is the one a resync may look back into (keep its bytes across the next fill)
    chunks.keepFrom = at;
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
    record.originalLength = originalLength;
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
      // which part of the record is cut: its header (the length of its data unknown) or its captured bytes
      const cut = available < RECORD_HEADER_BYTES
        ? `a packet record's header (${available} of its ${RECORD_HEADER_BYTES} bytes present)`
        : `a packet record's captured bytes (${available} of the record's ${wanted} bytes present)`;
      this.issue('truncated-file', `file ends inside ${cut}`, this.nextPacket(), this.chunks.offsetOf(this.chunks.pos));
      this.chunks.pos = this.chunks.end;
    }
    return STEP_END;
  }

  /**
   * A record header the normal path refused. A record longer than the file's snaplen but followed by another
   * plausible record header (or by the end of the file) comes from a writer that ignores its own snaplen (dpkt
   * writes 1500 whatever it writes; libpcap's sf-pcap.c salvages such records, and Wireshark reads them): it is read,
   * and the snaplen is not looked at again. Anything else is damage, reported at this record, and reading
   * resynchronises (lookBackFrom). READ_AS_IS: read the record as it is; else what the step returns.
   */
  private secondLook(b: Uint8Array, at: number, caplen: number, available: number): number {
    let damage = this.corruption(b, at);
    if (damage === undefined && this.timeJumps(b, at)) {
      if (caplen > this.caplenLimit) return this.lookAtJump(b, at, caplen);
      const next = RECORD_HEADER_BYTES + caplen;
      if (available < next + RECORD_HEADER_BYTES && !this.chunks.eof) {
        this.wanted = next + RECORD_HEADER_BYTES;
        return STEP_NEED_BYTES;
      }
      return available >= next + RECORD_HEADER_BYTES && this.recordAloneInTime(b, at, at + next) ? this.oddTimestamp(b, at) : this.lookAtJump(b, at, caplen);
    }
    // only its time was unusual, and it is the clock's
    if (damage === undefined && caplen <= this.caplenLimit) return READ_AS_IS;
    if (damage === undefined) {
      const next = RECORD_HEADER_BYTES + caplen;
      if (available < next + RECORD_HEADER_BYTES && !this.chunks.eof) {
        this.wanted = next + RECORD_HEADER_BYTES;
        return STEP_NEED_BYTES;
      }
      // at the end of the file there is nothing to compare with: the record is read, a cut is reported after it
      if (available < next + RECORD_HEADER_BYTES || this.plausibleHeader(b, at + next)) {
        this.caplenLimit = this.maxCaplen;
        return READ_AS_IS;
      }
      damage = `captured length ${caplen} is larger than the file's snapshot length ${this.header.snaplen}, and no record header follows the record`;
    }
    const offset = this.chunks.offsetOf(at);
    this.issue('bad-record-length', `pcap record header is corrupt: ${damage}`, this.nextPacket(), offset);
    this.resyncStart = offset;
    this.resyncFrom = this.lookBackFrom(offset);
    return this.resync();
  }

  /** Whether the header at `at` (plausible otherwise) jumps in time from the record before it, and was not found to be the clock's. */
  private timeJumps(b: Uint8Array, at: number): boolean {
    return this.farFromLast(this.u32(b, at)) && this.chunks.offsetOf(at) !== this.trustedAt;
  }

  /** Whether `seconds` is more than MAX_TIME_JUMP_SECONDS from the time of the record read before (if any). */
  private farFromLast(seconds: number): boolean {
    return this.lastTimeSeconds >= 0 && Math.abs(seconds - this.lastTimeSeconds) > MAX_TIME_JUMP_SECONDS;
  }

  /**
   * Whether the record at `at`, whose time jumps from the record before, is alone in its time: the record after it
   * begins where its captured length says (a plausible header there) and keeps the time of the record before. Where
   * bytes were lost, the header after a misread one is misread too (its microseconds read for seconds).
   */
  private recordAloneInTime(b: Uint8Array, at: number, next: number): boolean {
    return this.plausibleHeader(b, next) && aloneInTime(this.lastTimeSeconds * 1e6, this.u32(b, at) * 1e6, this.u32(b, next) * 1e6);
  }

  /**
   * One record's timestamp is corrupt (its seconds, as when a bit flips): the record is read here (step's reading
   * but for the time: kept out of step, whose size decides whether V8 inlines it into the decode loop) with the time
   * of the record before it, which record.timeUs still holds, and its own time is reported with its packet number
   * and offset. The whole record is in the window (the header after it is).
   */
  private oddTimestamp(b: Uint8Array, at: number): number {
    const seconds = this.u32(b, at);
    const fraction = this.u32(b, at + 4);
    const timeUs = seconds * 1e6 + (this.header.nanosecond ? Math.floor(fraction / 1000) : fraction);
    this.issue(
      'bad-timestamp',
      corruptTimestampMessage('pcap record', timeUs, this.record.timeUs, 'its lengths and the record after it are right'),
      { packetNumber: this.record.packetNumber + 1 },
      this.chunks.offsetOf(at),
    );
    const chunks = this.chunks;
    const record = this.record;
    chunks.keepFrom = at;
    record.packetNumber++;
    record.bytes = b;
    record.start = at + RECORD_HEADER_BYTES;
    record.end = record.start + this.u32(b, at + 8);
    record.originalLength = this.u32(b, at + 12);
    record.offset = chunks.offsetOf(at);
    chunks.pos = record.end;
    return STEP_PACKET;
  }

  /**
   * A plausible record header whose time jumps: where 4 bytes of the file were lost, a header is read 4 bytes late
   * (its microseconds taken for seconds) in this record or the one before, and a record that keeps the time before
   * the jump begins in the bytes read so far or within this record's length, elsewhere than where this record
   * ends. Such a record found there is where reading goes on, and the jump is reported as damage; none found, the
   * clock jumped and the record is read.
   */
  private lookAtJump(b: Uint8Array, at: number, caplen: number): number {
    const offset = this.chunks.offsetOf(at);
    const jump = this.u32(b, at) - this.lastTimeSeconds;
    this.jumpAt = offset;
    this.jumpDamage = `timestamp ${this.u32(b, at)} is ${Math.abs(jump)} s ${jump < 0 ? 'before' : 'after'} the packet before it, and a record that keeps that packet's time begins at offset `;
    // the record right after it (at its end) confirms its length, not damage: a clock that jumps back and forth
    this.jumpNext = offset + RECORD_HEADER_BYTES + caplen;
    this.resyncUntil = this.jumpNext + RECORD_HEADER_BYTES;
    this.resyncStart = offset;
    this.resyncFrom = this.lookBackFrom(offset);
    return this.resync();
  }

  /**
   * Where a resync from the corrupt header at `offset` begins: just after the header of the record read before it,
   * whose length may be the one that was wrong (bytes lost inside it put the corrupt header a few bytes late), or
   * just after `offset` when that record's bytes are gone from the window.
   */
  private lookBackFrom(offset: number): number {
    const previous = this.record.packetNumber > 0 ? this.record.offset : -1;
    return previous >= this.chunks.base && previous < offset ? previous + 1 : offset + 1;
  }

  /** Whether a record header could be right, whatever the snaplen says (which a writer may ignore). */
  private plausibleHeader(b: Uint8Array, at: number): boolean {
    const caplen = this.u32(b, at + 8);
    return caplen <= this.maxCaplen && fitsOriginal(caplen, this.u32(b, at + 12)) && this.u32(b, at + 4) < this.fractionLimit;
  }

  /** What makes a record header impossible, in words; undefined when it is plausible. */
  private corruption(b: Uint8Array, at: number): string | undefined {
    const caplen = this.u32(b, at + 8);
    const originalLength = this.u32(b, at + 12);
    const fraction = this.u32(b, at + 4);
    if (caplen > this.maxCaplen) return `captured length ${caplen} is larger than the largest plausible, ${this.maxCaplen}`;
    if (!fitsOriginal(caplen, originalLength)) return `captured length ${caplen} is larger than the packet's original length ${originalLength}`;
    if (fraction >= this.fractionLimit) return `timestamp fraction ${fraction} is not below ${this.fractionLimit}`;
    return undefined;
  }

  /** A plausible header close in time to the last good one, followed by another plausible header or the end. */
  private resync(): number {
    const chunks = this.chunks;
    const b = chunks.buffer;
    for (let at = this.resyncFrom - chunks.base; ; at++) {
      if (this.jumpAt >= 0 && chunks.offsetOf(at) >= this.resyncUntil) return this.clockJumped();
      if (chunks.offsetOf(at) - this.resyncStart > RESYNC_SCAN_BYTES) return this.giveUp(at);
      const lookahead = 2 * RECORD_HEADER_BYTES + this.maxCaplen;
      if (chunks.end - at < lookahead && !chunks.eof) {
        // everything before `at` was rejected: drop it and read on
        chunks.pos = at;
        this.resyncFrom = chunks.offsetOf(at);
        this.wanted = lookahead;
        return STEP_NEED_BYTES;
      }
      if (chunks.end - at < RECORD_HEADER_BYTES) return this.jumpAt >= 0 ? this.clockJumped() : this.giveUp(at);
      if (!this.plausibleHeader(b, at)) continue;
      if (this.jumpAt >= 0 && chunks.offsetOf(at) === this.jumpNext) continue;
      if (this.farFromLast(this.u32(b, at))) continue;
      const next = at + RECORD_HEADER_BYTES + this.u32(b, at + 8);
      const endsExactly = next === chunks.end && chunks.eof;
      if (!endsExactly && (chunks.end - next < RECORD_HEADER_BYTES || !this.plausibleHeader(b, next))) continue;
      const found = chunks.offsetOf(at);
      if (this.jumpAt >= 0) {
        this.issue('bad-record-length', `pcap record header is corrupt: ${this.jumpDamage}${found}`, this.nextPacket(), this.jumpAt);
        this.jumpAt = -1;
      }
      const skipped = found - this.resyncStart;
      const what = skipped >= 0
        ? `skipped ${skipped} corrupt bytes`
        : `a record begins ${-skipped} bytes before the corrupt header, inside the packet read before it (read with bytes of this record)`;
      this.issue('resynchronised', `${what}; decoding goes on here`, this.nextPacket(), found);
      chunks.pos = at;
      this.resyncFrom = -1;
      return this.step();
    }
  }

  /** No record keeps the time before the jump: the capture's clock jumped, and the record that jumped is read. */
  private clockJumped(): number {
    const chunks = this.chunks;
    chunks.pos = this.jumpAt - chunks.base;
    this.trustedAt = this.jumpAt;
    this.jumpAt = -1;
    this.resyncFrom = -1;
    return this.step();
  }

  /** Damage lies before the packet that is read next (a damaged record is not a packet). */
  private nextPacket(): ContainerPlace {
    return { beforePacket: this.record.packetNumber + 1 };
  }

  private giveUp(at: number): number {
    this.issue('resync-failed', 'no plausible pcap record found after a corrupt one; rest of the file skipped', this.nextPacket(), this.chunks.offsetOf(at));
    this.chunks.pos = this.chunks.end;
    this.chunks.eof = true;
    this.resyncFrom = -1;
    return STEP_END;
  }
}

/**
 * A captured length within the packet's original length (§5), or an original length of 0: a writer that leaves it
 * unset says nothing about the record, and its records are read (Wireshark reads them too).
 */
function fitsOriginal(caplen: number, originalLength: number): boolean {
  return caplen <= originalLength || originalLength === 0;
}
