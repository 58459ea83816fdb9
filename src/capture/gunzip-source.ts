/**
 * A gzip stream (RFC 1952) inflated as it is read, the same way for a file and for stdin. A stream cut short or a
 * trailer whose CRC-32 or length does not match loses nothing inflated before it: every inflated byte is handed out
 * first, then a `GzipDamageError` says where the damage is.
 *
 * zlib drops the output of the one inflate call that fails, so the pump keeps that call free of data it could
 * still inflate: the member trailer is written on its own, and the end of input is announced only once the last
 * write has been inflated (a write still queued at `end()` is inflated with Z_FINISH, and on a cut stream its
 * output went with the error). Deflate data that zlib rejects mid-stream still costs that call's output: at most
 * one zlib chunk (16 KiB) inflated just before the damage.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import { StreamByteSource, type ByteSource } from './byte-source.js';
import { DEFAULT_WINDOW_BYTES } from './chunk-reader.js';
import { GzipDamageError } from './errors.js';

/** RFC 1952 §2.2: a member ends with CRC32 and ISIZE, 4 bytes each. */
const GZIP_TRAILER_BYTES = 8;

/** Inflates `compressed`, read as `file`; a damaged stream throws `GzipDamageError` after its last inflated byte. */
export function gunzipSource(compressed: ByteSource, file: string): ByteSource {
  const gunzip = createGunzip();
  const inflated = new StreamByteSource(gunzip);
  let inflatedBytes = 0;
  pumpInto(gunzip, compressed).catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))));
  return {
    read: async (target, offset, length) => {
      try {
        const count = await inflated.read(target, offset, length);
        inflatedBytes += count;
        return count;
      } catch (error) {
        throw damageOf(error, file, gunzip.bytesWritten, inflatedBytes);
      }
    },
    close: async () => {
      gunzip.destroy();
      await compressed.close();
    },
  };
}

/**
 * Writes the compressed bytes into zlib, respecting backpressure, holding back the last 8 bytes read: at the end
 * of input they are the trailer, written alone so a failing check costs no inflated data.
 */
async function pumpInto(gunzip: Gunzip, compressed: ByteSource): Promise<void> {
  const chunk = Buffer.allocUnsafe(DEFAULT_WINDOW_BYTES);
  let held: Buffer = Buffer.alloc(0);
  for (;;) {
    const got = await compressed.read(chunk, 0, chunk.length);
    if (got === 0 || gunzip.destroyed) break;
    // a new buffer for each write: zlib may keep it while we read the next chunk into ours
    const input = Buffer.allocUnsafe(held.length + got);
    input.set(held, 0);
    input.set(chunk.subarray(0, got), held.length);
    const body = input.subarray(0, Math.max(0, input.length - GZIP_TRAILER_BYTES));
    held = input.subarray(body.length);
    if (body.length > 0 && !gunzip.write(body)) await drained(gunzip);
    if (gunzip.destroyed) return;
  }
  if (gunzip.destroyed) return;
  if (held.length > 0) await written(gunzip, held);
  if (!gunzip.destroyed) gunzip.end();
}

function drained(gunzip: Gunzip): Promise<void> {
  return new Promise<void>((resolve) => {
    const resume = (): void => {
      gunzip.off('drain', resume);
      gunzip.off('close', resume);
      resolve();
    };
    gunzip.on('drain', resume);
    gunzip.on('close', resume);
  });
}

/** Resolves once zlib has inflated `bytes` and every write before them, or has failed (closed). */
function written(gunzip: Gunzip, bytes: Buffer): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      gunzip.off('close', done);
      resolve();
    };
    gunzip.on('close', done);
    gunzip.write(bytes, done);
  });
}

/** zlib's own errors are damage to the stream; anything else (an I/O error of the input) goes on as it is. */
function damageOf(error: unknown, file: string, compressedOffset: number, inflatedBytes: number): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error;
  const reason = error instanceof Error ? error.message : code;
  return new GzipDamageError(file, code === 'Z_BUF_ERROR' ? 'truncated-file' : 'corrupt-gzip', compressedOffset, inflatedBytes, reason);
}
