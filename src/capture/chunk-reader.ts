/**
 * A window over a byte source: one reusable buffer, records are read in place (subarray views), and a record
 * that straddles the end of the window is moved to the front before the next read. The next read is issued
 * ahead (into a spare buffer) so disk or zlib work overlaps with decoding. Memory stays at the window size plus
 * the spare, grown only for a record larger than the window (bounded by `MAX_WINDOW_BYTES`).
 */
import type { ByteSource } from './byte-source.js';

export const DEFAULT_WINDOW_BYTES = 4 * 1024 * 1024;
/** No record we accept needs more than this (pcapng blocks are checked against it before reading). */
export const MAX_WINDOW_BYTES = 256 * 1024 * 1024;

type ReadAhead = Promise<{ count: number } | { error: unknown }>;

export class ChunkReader {
  /** A plain Uint8Array, not a Buffer: `slice()` of it copies, so kept bytes never alias the window. */
  buffer: Uint8Array;
  /** Index of the next unread byte in `buffer`. */
  pos = 0;
  /** Index one past the last valid byte in `buffer`. */
  end = 0;
  /** File offset of `buffer[0]`. */
  base = 0;
  /** The source has no more bytes (or the reader stopped reading it). */
  eof = false;
  /**
   * Index of bytes before `pos` that a fill keeps too, or -1: a reader that may look back at the record before the one
   * it reads (pcap.ts, to resynchronise inside it) sets it; a fill moves it with the bytes.
   */
  keepFrom = -1;
  private readonly spare: Uint8Array;
  private readAhead: ReadAhead | undefined;

  constructor(
    private readonly source: ByteSource,
    windowBytes = DEFAULT_WINDOW_BYTES,
  ) {
    this.buffer = new Uint8Array(windowBytes);
    this.spare = new Uint8Array(Math.max(1, windowBytes >> 1));
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** File offset of buffer index `index`. */
  offsetOf(index: number): number {
    return this.base + index;
  }

  /**
   * Reads until at least `wanted` bytes are available past `pos` or the input ends. Moves the unread bytes to
   * the front first, so every view taken before the call is invalid after it.
   * Returns whether `wanted` bytes are available.
   */
  async fill(wanted: number): Promise<boolean> {
    if (this.available >= wanted) return true;
    if (this.eof) return false;
    if (wanted > MAX_WINDOW_BYTES) throw new RangeError(`record of ${wanted} bytes exceeds the ${MAX_WINDOW_BYTES}-byte window limit`);
    this.compact(wanted);
    while (this.available < wanted && !this.eof) {
      const count = this.readAhead === undefined ? await this.readDirect() : await this.takeReadAhead();
      if (count === 0) this.eof = true;
    }
    if (!this.eof) this.startReadAhead();
    return this.available >= wanted;
  }

  /** Waits for an outstanding read so the source can be closed safely. */
  async settle(): Promise<void> {
    this.eof = true;
    await this.readAhead;
    this.readAhead = undefined;
  }

  private async readDirect(): Promise<number> {
    const count = await this.source.read(this.buffer, this.end, this.buffer.length - this.end);
    this.end += count;
    return count;
  }

  private async takeReadAhead(): Promise<number> {
    const result = await this.readAhead!;
    this.readAhead = undefined;
    if ('error' in result) throw result.error;
    if (this.end + result.count > this.buffer.length) this.grow(this.end + result.count);
    this.buffer.set(this.spare.subarray(0, result.count), this.end);
    this.end += result.count;
    return result.count;
  }

  private startReadAhead(): void {
    this.readAhead = this.source.read(this.spare, 0, this.spare.length).then(
      (count) => ({ count }),
      (error: unknown) => ({ error }),
    );
  }

  /** Where the bytes kept by a fill begin: `pos`, or `keepFrom` before it. */
  private keptFrom(): number {
    return this.keepFrom >= 0 && this.keepFrom < this.pos ? this.keepFrom : this.pos;
  }

  private compact(wanted: number): void {
    const from = this.keptFrom();
    if (wanted + this.pos - from > this.buffer.length) {
      this.grow(wanted + this.pos - from);
    } else if (from > 0) {
      this.buffer.copyWithin(0, from, this.end);
      this.moved(from);
    }
  }

  private grow(capacity: number): void {
    const from = this.keptFrom();
    const grown = new Uint8Array(Math.min(MAX_WINDOW_BYTES + this.spare.length, Math.max(capacity, this.buffer.length * 2)));
    grown.set(this.buffer.subarray(from, this.end));
    this.moved(from);
    this.buffer = grown;
  }

  /** The bytes from index `from` on moved to the front. */
  private moved(from: number): void {
    this.base += from;
    this.end -= from;
    this.pos -= from;
    this.keepFrom = this.keepFrom >= from ? this.keepFrom - from : -1;
  }
}
