/** What a container reader hands to the link layer: one captured frame, in place in the reader's window. */

/** `PacketReader.step()` results. */
export const STEP_PACKET = 1;
export const STEP_NEED_BYTES = 0;
export const STEP_END = -1;

/** Reused for every packet of a reader: copy what you keep, the view dies at the next `step()`/`refill()`. */
export interface PacketRecord {
  /** 1-based, counting packet records only, as tshark numbers frames. */
  packetNumber: number;
  /** Microseconds since the Unix epoch. */
  timeUs: number;
  /** Nanoseconds past `timeUs` (0..999) when the container has finer resolution. */
  timeExtraNs: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** pcapng if_name of that interface (`eth0`, `lo`), when its description gives one. */
  interfaceName: string | undefined;
  /** The frame is `bytes[start..end)`. */
  bytes: Uint8Array;
  start: number;
  end: number;
  /** Length of the frame on the wire (larger than end - start when cut by snaplen). */
  originalLength: number;
  /** File offset of the record (pcap record header, pcapng block). */
  offset: number;
  /** pcapng opt_comment of the packet, if any. */
  comment: string | undefined;
}

export function newPacketRecord(): PacketRecord {
  return {
    packetNumber: 0,
    timeUs: 0,
    timeExtraNs: 0,
    linkType: 0,
    interfaceId: 0,
    interfaceName: undefined,
    bytes: new Uint8Array(0),
    start: 0,
    end: 0,
    originalLength: 0,
    offset: 0,
    comment: undefined,
  };
}

/**
 * Where a container problem lies. Only what could be read is a packet and gets a number, as tshark numbers frames:
 * a problem in a numbered packet names it (`packetNumber`); damaged bytes that never become a packet (a corrupt
 * record or block, a cut, the bytes skipped to resynchronise) are placed before the number the next packet read
 * from the file gets, or would get at its end (`beforePacket`), so that no two reports share a number.
 */
export type ContainerPlace = { packetNumber: number } | { beforePacket: number };

/** Reports a problem in the container at a file offset; the reader goes on where it can. */
/**
 * Reports damage to the container at `offset`, which counts bytes of the capture as the reader sees it (of a .gz
 * input: the inflated bytes) unless `offsetInFile` says it counts bytes of the file itself (damage to the gzip stream).
 */
export type ContainerIssue = (code: string, message: string, place: ContainerPlace, offset: number, offsetInFile?: boolean) => void;

export interface PacketReader {
  readonly format: 'pcap' | 'pcapng';
  /** The packet that the last `step()` returning STEP_PACKET produced. */
  readonly record: PacketRecord;
  /** STEP_PACKET: `record` holds the next packet; STEP_NEED_BYTES: await `refill()` then step again; STEP_END. */
  step(): number;
  refill(): Promise<void>;
}

export function u16le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}
export function u16be(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}
export function u32le(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}
export function u32be(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** Pool that kept message bytes are copied into (one ArrayBuffer per ~100 messages instead of one each). */
const KEEP_POOL_BYTES = 64 * 1024;
/** Larger messages get their own copy, so a kept small view never pins a large pool. */
const KEEP_POOL_MAX_COPY = 8 * 1024;
let keepPool = new Uint8Array(KEEP_POOL_BYTES);
let keepPoolUsed = 0;

/**
 * A copy of `bytes[start..end)` that the receiver may keep, like `copyBytes`, but small copies share a pooled
 * ArrayBuffer (as Node's Buffer pool does): the result is a view with its own byteOffset, never written again.
 * One off-heap ArrayBuffer per message was the largest single cost of decoding (allocation and GC).
 */
export function keepBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  if (length > KEEP_POOL_MAX_COPY) return copyBytes(bytes, start, end);
  if (keepPoolUsed + length > KEEP_POOL_BYTES) {
    keepPool = new Uint8Array(KEEP_POOL_BYTES);
    keepPoolUsed = 0;
  }
  const kept = new Uint8Array(keepPool.buffer, keepPoolUsed, length);
  kept.set(bytes.subarray(start, end));
  // 8-byte alignment, as Node's pool keeps it
  keepPoolUsed = (keepPoolUsed + length + 7) & ~7;
  return kept;
}

/** A copy of `bytes[start..end)` (Buffer#slice would be a view into the reused window, hence the check). */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return Buffer.isBuffer(bytes) ? Uint8Array.prototype.slice.call(bytes, start, end) : bytes.slice(start, end);
}
