/**
 * StreamByteSource hands out every chunk a stream produced before its error, then the error: the stream is read
 * here only once its 'error' has been emitted, the case a stream's async iterator answers with the error alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StreamByteSource } from '../../src/capture/byte-source.js';

/** Reads the source to its end or its error, in reads of `size` bytes. */
async function readAll(source: StreamByteSource, size: number): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  const target = new Uint8Array(size);
  try {
    for (let count = await source.read(target, 0, size); count > 0; count = await source.read(target, 0, size)) {
      parts.push(Buffer.from(target.subarray(0, count)));
    }
    return { bytes: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

const failed = (stream: Readable) => new Promise((resolve) => stream.once('error', resolve));

describe('StreamByteSource', () => {
  it('gives the chunks pushed before an error, then the error', async () => {
    const stream = new Readable({ read: () => undefined });
    const source = new StreamByteSource(stream);
    stream.push(Buffer.from('first chunk, '));
    stream.push(Buffer.from('second chunk'));
    const boom = new Error('boom');
    stream.destroy(boom);
    await failed(stream);
    expect(await readAll(source, 5)).toEqual({ bytes: Buffer.from('first chunk, second chunk'), error: boom });
  });

  it('gives what zlib inflated from a cut gzip stream before "unexpected end of file"', async () => {
    const compressed = readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded/tcp.pcapng.gz'));
    const cut = compressed.subarray(0, 3000);
    const gunzip = createGunzip();
    const source = new StreamByteSource(gunzip);
    gunzip.end(cut);
    await failed(gunzip);
    const { bytes, error } = await readAll(source, 4096);
    expect(bytes.equals(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }))).toBe(true);
    expect(error).toMatchObject({ code: 'Z_BUF_ERROR' });
  });

  it('ends with 0 after the last chunk, and fails when the stream is closed before its end', async () => {
    expect(await readAll(new StreamByteSource(Readable.from([Buffer.from('ab'), Buffer.from('cd')])), 3)).toEqual({ bytes: Buffer.from('abcd'), error: undefined });
    const stream = new Readable({ read: () => undefined });
    const source = new StreamByteSource(stream);
    stream.push(Buffer.from('kept'));
    stream.destroy();
    const { bytes, error } = await readAll(source, 8);
    expect(bytes.toString()).toBe('kept');
    expect(error).toBeInstanceOf(Error);
  });
});
