/**
 * What zlib inflated in the step that met damage in the middle of a gzip stream (RFC 1952, deflate RFC 1951).
 *
 * Node's zlib inflates one write in steps of up to 16 KiB of output and drops the output of the step that fails
 * (the error comes instead of it, and says nothing of how far inflate got), so bytes inflated just before the damage
 * are lost: a whole capture under 16 KiB, up to 16 KiB of one. zlib's state cannot be copied, so the only way back to
 * them is to inflate the stream again from its start: the bytes zlib took in whole steps at full speed, then the rest
 * one byte per write, so that the step that fails holds one byte and loses at most what that byte's bits inflate to.
 * Bytes inflated before `handedOut` were read already and are only counted.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import type { ByteSource } from './byte-source.js';

/**
 * Bytes written one at a time at most (some 30 us each): a failing zlib step takes in less, what inflates to 16 KiB
 * and the block headers among it.
 */
const MAX_BYTEWISE = 64 * 1024;
/** Single-byte writes queued before waiting for zlib to take them. */
const BYTEWISE_BATCH = 4096;
const PIECE_BYTES = 64 * 1024;

export interface RecoveredTail {
  /** What zlib inflated after the first `handedOut` bytes and before it rejected the stream. */
  tail: Uint8Array;
  /** Offset in the compressed stream of the byte whose write zlib rejected. */
  rejectedAt: number;
}

/**
 * Inflates `compressed` (the whole stream, from its first byte) again, writing the bytes before `stepStart` (what
 * the failed pass took in whole steps) in large pieces and the rest one byte at a time. Undefined when zlib rejects
 * nothing within MAX_BYTEWISE bytes of `stepStart`, or the stream ends first: then there is nothing more to get.
 */
export async function inflateAgainUpToDamage(compressed: ByteSource, handedOut: number, stepStart: number): Promise<RecoveredTail | undefined> {
  const gunzip = createGunzip();
  const kept: Buffer[] = [];
  let inflated = 0;
  gunzip.on('data', (chunk: Buffer) => {
    const from = Math.max(0, handedOut - inflated);
    if (from < chunk.length) kept.push(chunk.subarray(from));
    inflated += chunk.length;
  });
  let failure: Error | undefined;
  gunzip.on('error', (error) => {
    failure ??= error;
  });
  try {
    const fed = await feed(gunzip, compressed, stepStart, () => failure !== undefined);
    if (failure === undefined || !fed || inflated < handedOut) return undefined;
    // each write from stepStart on is one byte: the bytes zlib took are those before the one it rejected
    return { tail: Buffer.concat(kept), rejectedAt: gunzip.bytesWritten };
  } finally {
    gunzip.destroy();
  }
}

/** Writes the stream until zlib fails; false when it ends, or the bytewise part runs out, before that. */
async function feed(gunzip: Gunzip, compressed: ByteSource, stepStart: number, failed: () => boolean): Promise<boolean> {
  const buffer = Buffer.allocUnsafe(PIECE_BYTES);
  let offset = 0;
  while (!failed()) {
    const wanted = offset < stepStart ? Math.min(PIECE_BYTES, stepStart - offset) : BYTEWISE_BATCH;
    const got = await compressed.read(buffer, 0, wanted);
    if (got === 0) return false;
    // a copy for zlib, which may still hold a write when the buffer is read into again
    const piece = Buffer.from(buffer.subarray(0, got));
    if (offset < stepStart) await settled(gunzip, [piece]);
    else await settled(gunzip, Array.from({ length: got }, (_, i) => piece.subarray(i, i + 1)));
    offset += got;
    if (offset - stepStart > MAX_BYTEWISE && !failed()) return false;
  }
  return true;
}

/** Writes the pieces and resolves once zlib has taken them all, or has failed (closed). */
function settled(gunzip: Gunzip, pieces: Buffer[]): Promise<void> {
  return new Promise<void>((resolve) => {
    if (gunzip.destroyed) return resolve();
    const done = (): void => {
      gunzip.off('close', done);
      resolve();
    };
    gunzip.on('close', done);
    for (const [index, piece] of pieces.entries()) gunzip.write(piece, index === pieces.length - 1 ? done : undefined);
  });
}
