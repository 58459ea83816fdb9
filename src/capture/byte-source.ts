/**
 * Where capture bytes come from: a file read in large sequential reads into the caller's buffer, or a
 * Node stream (stdin, gunzip). One interface so the container readers never know which.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ByteSource {
  /** Copies up to `length` bytes into `target` at `offset`; resolves 0 at end of input. */
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Sequential reads of a file straight into the reader's buffer: no intermediate chunk objects. */
export class FileByteSource implements ByteSource {
  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<FileByteSource> {
    return new FileByteSource(await open(path, 'r'));
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(target, offset, length, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A Readable consumed chunk by chunk through its async iterator (backpressure: we pull only when needed). */
export class StreamByteSource implements ByteSource {
  private pending: Uint8Array | undefined;
  private ended = false;
  private readonly chunks: AsyncIterator<Buffer | string>;

  constructor(private readonly stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.pending === undefined || this.pending.length === 0) {
      if (this.ended) return 0;
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        return 0;
      }
      this.pending = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
    const count = Math.min(length, this.pending.length);
    target.set(this.pending.subarray(0, count), offset);
    this.pending = this.pending.subarray(count);
    return count;
  }

  async close(): Promise<void> {
    this.ended = true;
    this.stream.destroy();
  }
}

/** Bytes already read (a peeked header) handed out before the rest of the source. */
export class PrefixedByteSource implements ByteSource {
  private prefix: Uint8Array;

  constructor(prefix: Uint8Array, private readonly rest: ByteSource) {
    this.prefix = prefix;
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.prefix.length > 0) {
      const count = Math.min(length, this.prefix.length);
      target.set(this.prefix.subarray(0, count), offset);
      this.prefix = this.prefix.subarray(count);
      return count;
    }
    return this.rest.read(target, offset, length);
  }

  close(): Promise<void> {
    return this.rest.close();
  }
}

/** Counts bytes as they are read (progress reporting on the raw, possibly compressed, input). */
export class CountingByteSource implements ByteSource {
  bytesRead = 0;
  constructor(private readonly inner: ByteSource) {}

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    const count = await this.inner.read(target, offset, length);
    this.bytesRead += count;
    return count;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
