/**
 * A string that does not keep the parsed message alive: header values are slices of the whole header block, and
 * calls and transactions outlive their messages (a slice would hold its ~500-byte message for 64*T1 or longer).
 */
export function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * 32-bit FNV-1a of a string: lets a transaction compare a later message's start line without keeping the first's.
 * Signed (`| 0`, not `>>> 0`): half of the unsigned values are past V8's small integers, so each field holding one
 * was a boxed number, allocated per transaction and per response.
 */
export function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/** textHash of bytes[start, end)'s latin1 text (one char per byte), from the bytes: the read thread makes it. */
export function bytesHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash | 0;
}

/**
 * The bucket of a 32-bit hash among 2^bits (1 to 32): Fibonacci hashing, the top bits of hash * 2^32/phi, which
 * spreads hashes that differ only in a few bits (BranchBuckets, JudgedOutcomes).
 */
export function hashBucket(hash: number, bits: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> (32 - bits);
}
