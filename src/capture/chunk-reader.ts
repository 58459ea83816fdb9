/**
 * A window over a byte source: one reusable Buffer, records are read in place (subarray views), and a record
 * that straddles the end of the window is moved to the front before the next read. Memory stays at the
 * window size, grown only for a record larger than the window (bounded by `maxWindow`).
 */
import type { ByteSource } from './byte-source.js';

export const DEFAULT_WINDOW_BYTES = 4 * 1024 * 1024;
/** No record we accept needs more than this (pcapng blocks are checked against it before reading). */
export const MAX_WINDOW_BYTES = 256 * 1024 * 1024;

export class ChunkReader {
  /** A plain Uint8Array, not a Buffer: `slice()` of it copies, so kept bytes never alias the window. */
  buffer: Uint8Array;
  /** Index of the next unread byte in `buffer`. */
  pos = 0;
  /** Index one past the last valid byte in `buffer`. */
  end = 0;
  /** File offset of `buffer[0]`. */
  base = 0;
  /** The source has no more bytes. */
  eof = false;

  constructor(
    private readonly source: ByteSource,
    windowBytes = DEFAULT_WINDOW_BYTES,
  ) {
    this.buffer = new Uint8Array(windowBytes);
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
      const count = await this.source.read(this.buffer, this.end, this.buffer.length - this.end);
      if (count === 0) this.eof = true;
      this.end += count;
    }
    return this.available >= wanted;
  }

  private compact(wanted: number): void {
    const unread = this.available;
    if (wanted > this.buffer.length) {
      const grown = new Uint8Array(Math.min(MAX_WINDOW_BYTES, Math.max(wanted, this.buffer.length * 2)));
      grown.set(this.buffer.subarray(this.pos, this.end));
      this.buffer = grown;
    } else if (this.pos > 0) {
      this.buffer.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = unread;
  }
}
