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

/** A paused-mode Readable consumed on demand (backpressure by not calling read()). */
export class StreamByteSource implements ByteSource {
  private pending: Buffer | undefined;
  private ended = false;
  private failure: unknown;

  constructor(private readonly stream: Readable) {
    stream.once('end', () => (this.ended = true));
    stream.once('error', (error) => (this.failure = error));
    stream.pause();
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    while (this.pending === undefined || this.pending.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return 0;
      const chunk = this.stream.read() as Buffer | string | null;
      if (chunk !== null) {
        this.pending = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        break;
      }
      await this.waitForData();
    }
    const count = Math.min(length, this.pending.length);
    target.set(this.pending.subarray(0, count), offset);
    this.pending = this.pending.subarray(count);
    return count;
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('readable', done);
        this.stream.off('end', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('readable', done);
      this.stream.on('end', done);
      this.stream.on('error', done);
      if (this.stream.readableEnded) done();
    });
  }

  async close(): Promise<void> {
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
