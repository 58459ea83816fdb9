/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks `type, total length, body, total length`.
 * Sections (SHB) fix the byte order; interfaces (IDB) fix link type and timestamp resolution (if_tsresol,
 * power of 10 or of 2, and if_tsoffset); packets come in Enhanced (EPB), Simple (SPB) or obsolete Packet
 * Blocks (PB). Other blocks are skipped. A corrupt block length is resynchronised by scanning for the next
 * block whose type is known and whose two length fields agree. One EPB or PB whose time alone is far from the
 * packets before and after it (its block whole, the next packet block keeping the time before it) has a corrupt
 * timestamp (a flipped bit of its high word): it is read and reported (`bad-timestamp`) at the time of the packet
 * before it, as pcap.ts does (corrupt-timestamp.ts), so that no clock after the reader jumps years for one packet.
 */
import type { ChunkReader } from './chunk-reader.js';
import type { HeaderCut } from './errors.js';
import { aloneInTime, corruptTimestampMessage, farInTime } from './corrupt-timestamp.js';
import { interfaceClock, toMicroseconds, type InterfaceClock } from './pcapng-time.js';
import {
  newPacketRecord,
  STEP_END,
  STEP_NEED_BYTES,
  STEP_PACKET,
  u16be,
  u16le,
  u32be,
  u32le,
  type ContainerIssue,
  type ContainerPlace,
  type PacketReader,
} from './packet-record.js';

export const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_INTERFACE = 1;
const BLOCK_PACKET_OBSOLETE = 2;
const BLOCK_SIMPLE_PACKET = 3;
const BLOCK_ENHANCED_PACKET = 6;
/** Block types of the spec (SHB, IDB, PB, SPB, NRB, ISB, EPB, IRIG, ARINC, systemd journal, DSB, custom). */
const KNOWN_BLOCK_TYPES = new Set([BLOCK_SECTION_HEADER, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0a, 0xbad, 0x40000bad]);
/** Larger blocks are taken as corruption (Wireshark caps blocks at 16 MiB too). */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
/** A block found while resynchronising must be at most this long (a jumbo packet plus options). */
const MAX_RESYNC_BLOCK_BYTES = 1024 * 1024;
const RESYNC_SCAN_BYTES = 4 * 1024 * 1024;
/** block()'s answer for a block that is not a packet (else STEP_PACKET, or STEP_NEED_BYTES to look further ahead). */
const NOT_A_PACKET = 2;
/** EPB and PB (§4.3, §B.1): type, length, interface, timestamp high and low words. */
const PACKET_TIME_BYTES = 20;
/** How far past a packet whose time jumps other blocks (statistics, names) are skipped to find the next packet. */
const TIME_LOOK_AHEAD_BYTES = 64 * 1024;
const OPTION_COMMENT = 1;
/** §4.2 if_name: the interface's name, UTF-8. */
const OPTION_IF_NAME = 2;
const OPTION_TSRESOL = 9;
const OPTION_TSOFFSET = 14;
const textDecoder = new TextDecoder();

interface Interface {
  linkType: number;
  snaplen: number;
  clock: InterfaceClock;
  name: string | undefined;
}

/** Whether bytes[at..at+12) start a section header block (either byte order). */
export function isPcapngStart(bytes: Uint8Array, at: number): boolean {
  if (u32le(bytes, at) !== BLOCK_SECTION_HEADER) return false;
  return u32le(bytes, at + 8) === BYTE_ORDER_MAGIC || u32be(bytes, at + 8) === BYTE_ORDER_MAGIC;
}

/** §4.1: type, total length, byte-order magic, version, section length (8 bytes), total length again. */
const MIN_SECTION_HEADER_BYTES = 28;

/**
 * The length of the section header block that starts a file at `at`, as its block total length gives it in the byte
 * order of its magic; the smallest possible (28) while that cannot be read (fewer than 12 bytes present) or when it is
 * impossible (then the reader reports the corrupt block, as it does anywhere in the file).
 */
export function sectionHeaderBytes(bytes: Uint8Array, at: number, available: number): number {
  if (available < 12) return MIN_SECTION_HEADER_BYTES;
  const order = u32le(bytes, at + 8) === BYTE_ORDER_MAGIC ? u32le : u32be(bytes, at + 8) === BYTE_ORDER_MAGIC ? u32be : undefined;
  if (order === undefined) return MIN_SECTION_HEADER_BYTES;
  const length = order(bytes, at + 4);
  return length >= MIN_SECTION_HEADER_BYTES && length % 4 === 0 && length <= MAX_BLOCK_BYTES ? length : MIN_SECTION_HEADER_BYTES;
}

/**
 * Where the section header block that starts a file is cut when only `available` (at least 4) of its bytes are
 * there: the field the input ends in (§4.1); undefined when the block is whole. Until the byte order is known (12
 * bytes) the block's length is not, and the block is said to be at least 28 bytes.
 */
export function sectionHeaderCut(bytes: Uint8Array, at: number, available: number): HeaderCut | undefined {
  const headerBytes = sectionHeaderBytes(bytes, at, available);
  if (available >= headerBytes) return undefined;
  const fields: Array<[number, number, string]> = [
    [4, 7, 'block total length'],
    [8, 11, 'byte-order magic'],
    [12, 15, 'major and minor version'],
    [16, 23, 'section length'],
    [24, headerBytes - 5, 'options'],
    [headerBytes - 4, headerBytes - 1, 'trailing block total length'],
  ];
  const [fieldStart, fieldEnd, field] = fields.find(([first, last]) => last >= first && available <= last)!;
  return { presentBytes: available, field, fieldStart, fieldEnd, headerBytes, atLeast: available < 12 };
}

/** §4, §10.1: the names of the block types, for messages. */
const BLOCK_NAMES = new Map<number, string>([
  [BLOCK_SECTION_HEADER, 'a section header block'],
  [BLOCK_INTERFACE, 'an interface description block'],
  [BLOCK_PACKET_OBSOLETE, 'a packet block (obsolete)'],
  [BLOCK_SIMPLE_PACKET, 'a simple packet block'],
  [4, 'a name resolution block'],
  [5, 'an interface statistics block'],
  [BLOCK_ENHANCED_PACKET, 'an enhanced packet block'],
  [0x0a, 'a decryption secrets block'],
  [0xbad, 'a custom block'],
  [0x40000bad, 'a custom block'],
]);

function blockName(type: number): string {
  return BLOCK_NAMES.get(type) ?? `a block of type 0x${type.toString(16)}`;
}

export class PcapngReader implements PacketReader {
  readonly format = 'pcapng';
  readonly record = newPacketRecord();
  /** Link types of all interfaces of all sections, in order of appearance. */
  readonly linkTypes = new Set<number>();
  private littleEndian = true;
  private u32 = u32le;
  private u16 = u16le;
  private interfaces: Interface[] = [];
  private wanted = 0;
  private resyncFrom = -1;
  private resyncStart = 0;
  /** Time of the last packet read with a timestamp (EPB, PB), NaN before the first: what a jump is measured from. */
  private lastTimeUs = NaN;
  /** A packet block's time before it is taken (kept out of `record` until the time is judged). */
  private readonly stamp = { timeUs: 0, timeExtraNs: 0 };

  constructor(
    private readonly chunks: ChunkReader,
    private readonly issue: ContainerIssue,
  ) {}

  async refill(): Promise<void> {
    await this.chunks.fill(this.wanted);
  }

  step(): number {
    for (;;) {
      if (this.resyncFrom >= 0) {
        const found = this.resync();
        if (found !== STEP_PACKET) return found;
      }
      const chunks = this.chunks;
      const available = chunks.available;
      if (available < 8) return this.needOrEnd(8, available);
      const b = chunks.buffer;
      const at = chunks.pos;
      if (u32le(b, at) === BLOCK_SECTION_HEADER) {
        // a new section may change the byte order: its length is read in the order of its magic
        if (available < 12) return this.needOrEnd(12, available);
        const order = this.sectionByteOrder(b, at);
        if (order === undefined) {
          this.corrupt(at, 'section header block has no valid byte-order magic');
          continue;
        }
        this.setByteOrder(order);
      }
      const type = this.u32(b, at);
      const length = this.u32(b, at + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK_BYTES) {
        this.corrupt(at, `block of type 0x${type.toString(16)} has an impossible length ${length}`);
        continue;
      }
      if (available < length) return this.needOrEnd(length, available);
      if (this.u32(b, at + length - 4) !== length) {
        this.corrupt(at, `block of type 0x${type.toString(16)}: leading length ${length} and trailing length differ`);
        continue;
      }
      const stepped = this.block(type, b, at, length);
      if (stepped === STEP_NEED_BYTES) return stepped;
      chunks.pos = at + length;
      if (stepped === STEP_PACKET) return STEP_PACKET;
    }
  }

  private sectionByteOrder(b: Uint8Array, at: number): boolean | undefined {
    if (u32le(b, at + 8) === BYTE_ORDER_MAGIC) return true;
    if (u32be(b, at + 8) === BYTE_ORDER_MAGIC) return false;
    return undefined;
  }

  private setByteOrder(littleEndian: boolean): void {
    this.littleEndian = littleEndian;
    this.u32 = littleEndian ? u32le : u32be;
    this.u16 = littleEndian ? u16le : u16be;
  }

  /**
   * Handles one whole block: STEP_PACKET when it was a packet (now in `record`), STEP_NEED_BYTES when the blocks after
   * it must be read first (nothing of it taken), else NOT_A_PACKET.
   */
  private block(type: number, b: Uint8Array, at: number, length: number): number {
    switch (type) {
      case BLOCK_SECTION_HEADER:
        this.interfaces = [];
        return NOT_A_PACKET;
      case BLOCK_INTERFACE:
        this.addInterface(b, at, length);
        return NOT_A_PACKET;
      case BLOCK_ENHANCED_PACKET:
        return this.packet(b, at, length, this.u32(b, at + 8), 28, true);
      case BLOCK_PACKET_OBSOLETE:
        return this.packet(b, at, length, this.u16(b, at + 8), 28, true);
      case BLOCK_SIMPLE_PACKET:
        return this.simplePacket(b, at, length);
      default:
        return NOT_A_PACKET;
    }
  }

  private addInterface(b: Uint8Array, at: number, length: number): void {
    let tsresol = 6;
    let tsoffsetSeconds = 0;
    let name: string | undefined;
    this.forEachOption(b, at + 16, at + length - 4, (code, start, size) => {
      if (code === OPTION_IF_NAME && size > 0) name = textDecoder.decode(b.subarray(start, start + size));
      if (code === OPTION_TSRESOL && size >= 1) tsresol = b[start];
      if (code === OPTION_TSOFFSET && size >= 8) {
        const high = this.u32(b, this.littleEndian ? start + 4 : start) | 0;
        const low = this.u32(b, this.littleEndian ? start : start + 4);
        tsoffsetSeconds = high * 4294967296 + low;
      }
    });
    const linkType = this.u16(b, at + 8);
    this.interfaces.push({ linkType, snaplen: this.u32(b, at + 12), clock: interfaceClock(tsresol, tsoffsetSeconds), name });
    this.linkTypes.add(linkType);
  }

  private packet(b: Uint8Array, at: number, length: number, interfaceId: number, dataAt: number, hasOptions: boolean): number {
    const record = this.record;
    const captured = this.u32(b, at + 20);
    const iface = this.interfaces[interfaceId];
    const stamp = this.stamp;
    if (iface !== undefined && captured <= length - dataAt - 4) {
      toMicroseconds(iface.clock, this.u32(b, at + 12), this.u32(b, at + 16), stamp);
      if (farInTime(stamp.timeUs, this.lastTimeUs)) {
        const nextUs = this.nextPacketTimeUs(b, at + length);
        if (nextUs === undefined) return STEP_NEED_BYTES;
        if (aloneInTime(this.lastTimeUs, stamp.timeUs, nextUs)) this.oddTimestamp(b, at);
      }
    }
    record.packetNumber++;
    record.offset = this.chunks.offsetOf(at);
    const original = this.u32(b, at + 24);
    if (iface === undefined) {
      this.issue('unknown-interface', `packet refers to interface ${interfaceId}, not described in this section`, { packetNumber: record.packetNumber }, record.offset);
      return this.emptyPacket();
    }
    if (captured > length - dataAt - 4) {
      this.issue('bad-packet-length', `captured length ${captured} exceeds the block`, { packetNumber: record.packetNumber }, record.offset);
      return this.emptyPacket();
    }
    record.timeUs = stamp.timeUs;
    record.timeExtraNs = stamp.timeExtraNs;
    this.lastTimeUs = stamp.timeUs;
    record.linkType = iface.linkType;
    record.interfaceId = interfaceId;
    record.interfaceName = iface.name;
    record.bytes = b;
    record.start = at + dataAt;
    record.end = record.start + captured;
    record.originalLength = original;
    record.comment = undefined;
    if (hasOptions) {
      const optionsAt = record.start + ((captured + 3) & ~3);
      this.forEachOption(b, optionsAt, at + length - 4, (code, start, size) => {
        if (code === OPTION_COMMENT) record.comment = textDecoder.decode(b.subarray(start, start + size));
      });
    }
    return STEP_PACKET;
  }

  /**
   * One packet block's timestamp is corrupt (alone in its time, its block whole): reported with its packet number
   * and offset, and the packet takes the time of the packet before it, which `record` still holds.
   */
  private oddTimestamp(b: Uint8Array, at: number): void {
    const stamp = this.stamp;
    const block = this.u32(b, at) === BLOCK_ENHANCED_PACKET ? 'pcapng enhanced packet block' : 'pcapng packet block';
    const message = corruptTimestampMessage(block, stamp.timeUs, this.record.timeUs, 'its block lengths agree and a packet block follows it');
    this.issue('bad-timestamp', message, { packetNumber: this.record.packetNumber + 1 }, this.chunks.offsetOf(at));
    stamp.timeUs = this.record.timeUs;
    stamp.timeExtraNs = this.record.timeExtraNs;
  }

  /**
   * The time of the packet block that begins at `next` or after the blocks there that neither start a section nor
   * describe an interface (statistics, names, secrets), within TIME_LOOK_AHEAD_BYTES: NaN when there is none to
   * judge by (the end of the file, a new section or interface, a simple packet block, an impossible length, an
   * interface not described); undefined when the window ends first (`wanted` is set: step again after refill).
   */
  private nextPacketTimeUs(b: Uint8Array, next: number): number | undefined {
    const chunks = this.chunks;
    for (const until = next + TIME_LOOK_AHEAD_BYTES; next < until; ) {
      if (chunks.end - next < 8) return this.lookFurther(next + 8);
      const type = this.u32(b, next);
      const length = this.u32(b, next + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK_BYTES) return NaN;
      if (type === BLOCK_ENHANCED_PACKET || type === BLOCK_PACKET_OBSOLETE) {
        if (chunks.end - next < PACKET_TIME_BYTES) return this.lookFurther(next + PACKET_TIME_BYTES);
        const iface = this.interfaces[type === BLOCK_ENHANCED_PACKET ? this.u32(b, next + 8) : this.u16(b, next + 8)];
        if (iface === undefined) return NaN;
        const nextStamp = { timeUs: 0, timeExtraNs: 0 };
        toMicroseconds(iface.clock, this.u32(b, next + 12), this.u32(b, next + 16), nextStamp);
        return nextStamp.timeUs;
      }
      if (type === BLOCK_SECTION_HEADER || type === BLOCK_INTERFACE || type === BLOCK_SIMPLE_PACKET) return NaN;
      next += length;
    }
    return NaN;
  }

  /** The window ends before buffer index `needed`: wait for the bytes up to it, or NaN at the end of the file. */
  private lookFurther(needed: number): number | undefined {
    if (this.chunks.eof) return NaN;
    this.wanted = needed - this.chunks.pos;
    return undefined;
  }

  /** A packet whose bytes cannot be used: still numbered, handed on with no bytes. */
  private emptyPacket(): number {
    const record = this.record;
    record.linkType = -1;
    record.start = record.end = 0;
    record.originalLength = 0;
    record.comment = undefined;
    return STEP_PACKET;
  }

  private simplePacket(b: Uint8Array, at: number, length: number): number {
    const record = this.record;
    record.packetNumber++;
    record.offset = this.chunks.offsetOf(at);
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.issue('unknown-interface', 'simple packet block before any interface description', { packetNumber: record.packetNumber }, record.offset);
      return this.emptyPacket();
    }
    const original = this.u32(b, at + 8);
    let captured = Math.min(original, length - 16);
    if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
    // SPB has no timestamp: the packet keeps the time of the previous one
    record.linkType = iface.linkType;
    record.interfaceId = 0;
    record.interfaceName = iface.name;
    record.bytes = b;
    record.start = at + 12;
    record.end = record.start + captured;
    record.originalLength = original;
    record.comment = undefined;
    return STEP_PACKET;
  }

  private forEachOption(b: Uint8Array, from: number, to: number, visit: (code: number, start: number, size: number) => void): void {
    let at = from;
    while (at + 4 <= to) {
      const code = this.u16(b, at);
      const size = this.u16(b, at + 2);
      if (code === 0 || at + 4 + size > to) return;
      visit(code, at + 4, size);
      at += 4 + ((size + 3) & ~3);
    }
  }

  private needOrEnd(wanted: number, available: number): number {
    if (!this.chunks.eof) {
      this.wanted = wanted;
      return STEP_NEED_BYTES;
    }
    if (available > 0) {
      this.issue('truncated-file', this.cutBlock(available, wanted), this.nextPacket(), this.chunks.offsetOf(this.chunks.pos));
      this.chunks.pos = this.chunks.end;
    }
    return STEP_END;
  }

  /** What the end of the file cuts: a block's type and length (8 bytes), a section's byte-order magic, or its body. */
  private cutBlock(available: number, wanted: number): string {
    const type = available >= 4 ? this.u32(this.chunks.buffer, this.chunks.pos) : undefined;
    const name = type === undefined ? 'a block' : blockName(type);
    if (available < 8) return `file ends inside the type and total length of ${name} (${available} of those 8 bytes present)`;
    if (type === BLOCK_SECTION_HEADER && available < 12) return `file ends inside ${name} before the end of its byte-order magic (${available} of 12 bytes present)`;
    return `file ends inside ${name} (${available} of its ${wanted} bytes present)`;
  }

  private corrupt(at: number, message: string): void {
    this.issue('bad-block-length', message, this.nextPacket(), this.chunks.offsetOf(at));
    this.resyncStart = this.chunks.offsetOf(at);
    this.resyncFrom = this.resyncStart + 1;
  }

  /** Scans for a known block type whose leading and trailing lengths agree; STEP_PACKET means found. */
  private resync(): number {
    const chunks = this.chunks;
    const b = chunks.buffer;
    const lookahead = MAX_RESYNC_BLOCK_BYTES + 8;
    for (let at = this.resyncFrom - chunks.base; ; at++) {
      if (chunks.offsetOf(at) - this.resyncStart > RESYNC_SCAN_BYTES) return this.giveUp(at);
      if (chunks.end - at < lookahead && !chunks.eof) {
        chunks.pos = at;
        this.resyncFrom = chunks.offsetOf(at);
        this.wanted = lookahead;
        return STEP_NEED_BYTES;
      }
      if (chunks.end - at < 12) return this.giveUp(at);
      const type = this.u32(b, at);
      if (!KNOWN_BLOCK_TYPES.has(type)) continue;
      if (type === BLOCK_SECTION_HEADER && this.sectionByteOrder(b, at) === undefined) continue;
      const length = type === BLOCK_SECTION_HEADER && this.sectionByteOrder(b, at) !== this.littleEndian
        ? (this.littleEndian ? u32be : u32le)(b, at + 4)
        : this.u32(b, at + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_RESYNC_BLOCK_BYTES || at + length > chunks.end) continue;
      if (b[at + length - 4] !== b[at + 4] || b[at + length - 3] !== b[at + 5] || b[at + length - 2] !== b[at + 6] || b[at + length - 1] !== b[at + 7]) continue;
      this.issue('resynchronised', `skipped ${chunks.offsetOf(at) - this.resyncStart} corrupt bytes; decoding goes on here`, this.nextPacket(), chunks.offsetOf(at));
      chunks.pos = at;
      this.resyncFrom = -1;
      return STEP_PACKET;
    }
  }

  /** Damage lies before the packet that is read next (a block that cannot be read is not a packet). */
  private nextPacket(): ContainerPlace {
    return { beforePacket: this.record.packetNumber + 1 };
  }

  private giveUp(at: number): number {
    this.issue('resync-failed', 'no plausible pcapng block found after a corrupt one; rest of the file skipped', this.nextPacket(), this.chunks.offsetOf(at));
    this.chunks.pos = this.chunks.end;
    this.chunks.eof = true;
    this.resyncFrom = -1;
    return STEP_END;
  }
}
