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

/**
 * A Readable read chunk by chunk with `read()` (backpressure: the stream reads ahead only to its highWaterMark).
 * Every chunk the stream produced before an error is handed out before the error is thrown: zlib pushes what it
 * inflated and is then destroyed by its error, and a stream's async iterator stops at `destroyed` and drops the
 * chunks still buffered (a truncated .gz on stdin lost everything it could have read).
 */
export class StreamByteSource implements ByteSource {
  private pending: Uint8Array | undefined;
  private closed = false;
  /** Resolves the read waiting for the stream to become readable, end, fail or close. */
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Readable) {
    const signal = (): void => {
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    };
    for (const event of ['readable', 'end', 'error', 'close']) stream.on(event, signal);
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.pending === undefined || this.pending.length === 0) {
      if (this.closed) return 0;
      // read() still returns what is buffered once the stream is destroyed; only an empty buffer ends or fails
      const chunk = this.stream.read() as Buffer | string | null;
      if (chunk !== null) {
        this.pending = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        break;
      }
      if (this.stream.errored) throw this.stream.errored;
      if (this.stream.readableEnded) return 0;
      if (this.stream.destroyed) throw new Error('the stream was closed before its end');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const count = Math.min(length, this.pending.length);
    target.set(this.pending.subarray(0, count), offset);
    this.pending = this.pending.subarray(count);
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
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

/** Bytes in memory as a source. */
export class BufferByteSource implements ByteSource {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    const count = Math.min(length, this.bytes.length - this.at);
    target.set(this.bytes.subarray(this.at, this.at + count), offset);
    this.at += count;
    return count;
  }

  async close(): Promise<void> {}
}

/**
 * A source read once (stdin) that keeps a copy of what is read while it is at most `limit` bytes, so that it can be
 * read again from its start (`replay`); past the limit the copy is dropped and it cannot.
 */
export class RetainingByteSource implements ByteSource {
  private kept: Uint8Array[] | undefined = [];
  private keptBytes = 0;

  constructor(
    private readonly inner: ByteSource,
    private readonly limit: number,
  ) {}

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    const count = await this.inner.read(target, offset, length);
    if (this.kept !== undefined && count > 0) {
      this.keptBytes += count;
      if (this.keptBytes > this.limit) this.kept = undefined;
      // a copy (Buffer#slice would be a view of the reader's reused buffer)
      else this.kept.push(Uint8Array.prototype.slice.call(target, offset, offset + count));
    }
    return count;
  }

  /** Everything read so far, from the first byte; undefined once more than the limit was read. */
  replay(): ByteSource | undefined {
    return this.kept === undefined ? undefined : new BufferByteSource(Buffer.concat(this.kept));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
