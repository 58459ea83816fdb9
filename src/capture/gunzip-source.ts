/**
 * A gzip stream (RFC 1952) inflated as it is read, the same way for a file and for stdin. Damage loses nothing
 * inflated before it: every inflated byte is handed out first, then a `GzipDamageError` says where the damage is.
 *
 * zlib drops the output of the one inflate step that fails, so the pump keeps that step free of data it could still
 * inflate where it can: the member trailer is written on its own, and the end of input is announced only once the
 * last write has been inflated (a write still queued at `end()` is inflated with Z_FINISH, and on a cut stream its
 * output went with the error). Deflate data that zlib rejects mid-stream fails a step of up to 16 KiB of output:
 * that output is got back by inflating the stream again from its start (gzip-recovery.ts), from the file, or from
 * the copy kept of a stream read once (stdin) while it is small enough to keep.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import { StreamByteSource, type ByteSource } from './byte-source.js';
import { DEFAULT_WINDOW_BYTES } from './chunk-reader.js';
import { GzipDamageError } from './errors.js';
import { inflateAgainUpToDamage } from './gzip-recovery.js';

/** RFC 1952 §2.2: a member ends with CRC32 and ISIZE, 4 bytes each. */
const GZIP_TRAILER_BYTES = 8;

/** The compressed stream again from its first byte, or undefined when it cannot be had (a stream read once, too long to keep). */
export type Replay = () => Promise<ByteSource | undefined>;

/** Where the pump is: bytes of the stream written to zlib before the held-back trailer, and whether that is all of them. */
interface PumpState {
  bodyBytes: number;
  bodyDone: boolean;
}

/** Inflates `compressed`, read as `file`; a damaged stream throws `GzipDamageError` after its last inflated byte. */
export function gunzipSource(compressed: ByteSource, file: string, replay?: Replay): ByteSource {
  const gunzip = createGunzip();
  const inflated = new StreamByteSource(gunzip);
  const pump: PumpState = { bodyBytes: 0, bodyDone: false };
  let inflatedBytes = 0;
  /** Once the stream failed: what was got back of the failed step, handed out before `damage` is thrown. */
  let recovered: Uint8Array | undefined;
  let damage: unknown;
  pumpInto(gunzip, compressed, pump).catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))));
  return {
    read: async (target, offset, length) => {
      if (damage === undefined) {
        try {
          const count = await inflated.read(target, offset, length);
          inflatedBytes += count;
          return count;
        } catch (error) {
          ({ damage, recovered } = await afterFailure(error, gunzip.bytesWritten));
        }
      }
      if (recovered !== undefined && recovered.length > 0) {
        const count = Math.min(length, recovered.length);
        target.set(recovered.subarray(0, count), offset);
        recovered = recovered.subarray(count);
        inflatedBytes += count;
        return count;
      }
      throw damage;
    },
    close: async () => {
      gunzip.destroy();
      await compressed.close();
    },
  };

  /**
   * The error to throw, and what was got back first. zlib's own errors are damage to the stream; anything else (an
   * I/O error of the input) goes on as it is. A step that failed on deflate data loses its output (a cut stream and
   * a bad trailer cost nothing: see pumpInto), which is inflated again when the stream can be read again.
   */
  async function afterFailure(error: unknown, stepStart: number): Promise<{ damage: unknown; recovered?: Uint8Array }> {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !code.startsWith('Z_')) return { damage: error };
    const reason = error instanceof Error ? error.message : code;
    if (code === 'Z_BUF_ERROR') return { damage: new GzipDamageError(file, 'truncated-file', stepStart, inflatedBytes, reason) };
    const trailerFailed = pump.bodyDone && stepStart >= pump.bodyBytes;
    if (code !== 'Z_DATA_ERROR' || trailerFailed) return { damage: new GzipDamageError(file, 'corrupt-gzip', stepStart, inflatedBytes, reason) };
    const again = await replay?.();
    if (again === undefined) return { damage: new GzipDamageError(file, 'corrupt-gzip', stepStart, inflatedBytes, reason, { lost: true }) };
    try {
      const tail = await inflateAgainUpToDamage(again, inflatedBytes, stepStart);
      if (tail === undefined) return { damage: new GzipDamageError(file, 'corrupt-gzip', stepStart, inflatedBytes, reason, { lost: true }) };
      return { damage: new GzipDamageError(file, 'corrupt-gzip', tail.rejectedAt, inflatedBytes + tail.tail.length, reason, { rejected: true }), recovered: tail.tail };
    } finally {
      await again.close().catch(() => undefined);
    }
  }
}

/**
 * Writes the compressed bytes into zlib, respecting backpressure, holding back the last 8 bytes read: at the end
 * of input they are the trailer, written alone so a failing check costs no inflated data.
 */
async function pumpInto(gunzip: Gunzip, compressed: ByteSource, pump: PumpState): Promise<void> {
  const chunk = Buffer.allocUnsafe(DEFAULT_WINDOW_BYTES);
  let held: Buffer = Buffer.alloc(0);
  for (;;) {
    const got = await compressed.read(chunk, 0, chunk.length);
    if (gunzip.destroyed) return;
    if (got === 0) break;
    // a new buffer for each write: zlib may keep it while we read the next chunk into ours
    const input = Buffer.allocUnsafe(held.length + got);
    input.set(held, 0);
    input.set(chunk.subarray(0, got), held.length);
    const body = input.subarray(0, Math.max(0, input.length - GZIP_TRAILER_BYTES));
    held = input.subarray(body.length);
    pump.bodyBytes += body.length;
    if (body.length > 0 && !gunzip.write(body)) await drained(gunzip);
    if (gunzip.destroyed) return;
  }
  pump.bodyDone = true;
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
