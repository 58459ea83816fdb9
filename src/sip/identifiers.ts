/**
 * The random identifiers a SIP element makes: branch IDs (RFC 3261 §8.1.1.7), tags (§19.3) and Call-IDs
 * (§8.1.1.4). One pool of random bytes for the client and serve: load mode and a REGISTER flood make thousands.
 */
import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from './headers/via.js';

/** Random bytes drawn 4 KiB at a time: one system call per few hundred identifiers. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `bytes` random bytes as lower-case hex (2 characters a byte). */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** RFC 3261 §8.1.1.7: a branch starts with the magic cookie z9hG4bK and is unique per transaction. */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomHex(10);
}

/** A random token for tags (§19.3: at least 32 bits of randomness) and Call-IDs (§8.1.1.4). */
export function randomToken(bytes = 8): string {
  return randomHex(bytes);
}
