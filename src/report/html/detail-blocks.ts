/**
 * The embedded message detail, compressed: calls are grouped in blocks, each block's rows are JSON, gzipped
 * (RFC 1952) and base64-encoded, one block per line of the details element. The page inflates one block with the
 * browser's own DecompressionStream when a ladder of it is opened. SIP text compresses about tenfold, and base64
 * holds no `<`, so capture text cannot end the element either.
 */
import { gzipSync } from 'node:zlib';
import type { CallDetail } from './model.js';
import { detailRow } from './detail-rows.js';

/** Calls per block: small enough to inflate and parse in a few ms, large enough to compress well. */
export const DETAIL_BLOCK_CALLS = 32;

/** The block that holds the index-th embedded call. */
export function detailBlockOf(index: number): number {
  return Math.floor(index / DETAIL_BLOCK_CALLS);
}

/** Base64 of each block, in order (made one at a time: the whole detail is never one string). */
export function* detailBlocks(details: ReadonlyMap<string, CallDetail>, originUs: number): Generator<string> {
  let block: CallDetail[] = [];
  const encode = (calls: CallDetail[]) => gzipSync(JSON.stringify(calls.map((detail) => detailRow(detail, originUs)))).toString('base64');
  for (const detail of details.values()) {
    block.push(detail);
    if (block.length === DETAIL_BLOCK_CALLS) {
      yield encode(block);
      block = [];
    }
  }
  if (block.length > 0) yield encode(block);
}
