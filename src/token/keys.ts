/**
 * HMAC signing keys: the bytes of a key as given (text, base64 or hex), and the RFC 7518 §3.2 rule that a key for
 * HS256 / HS384 / HS512 "of the same size as the hash output ... or larger MUST be used".
 */
import { TokenError } from './errors.js';

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

export const KEY_ENCODINGS = ['utf8', 'base64', 'base64url', 'hex'] as const;
export type KeyEncoding = (typeof KEY_ENCODINGS)[number];

/** RFC 7518 §3.2: the minimum key size in bytes is the hash output size. */
export const MIN_KEY_BYTES: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };

export interface SigningKey {
  /** Where the key came from, for messages (e.g. "$JWT_ACTIVE_KEY"); never the key. */
  label: string;
  bytes: Uint8Array;
}

const PATTERNS: Record<Exclude<KeyEncoding, 'utf8'>, RegExp> = {
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*$/,
  hex: /^(?:[0-9a-fA-F]{2})*$/,
};

/** The key's bytes; throws TokenError('key-unusable') for bad encoding or a key too short for `algorithm`. */
export function signingKey(text: string, encoding: KeyEncoding, algorithm: HmacAlgorithm, label: string): SigningKey {
  const trimmed = encoding === 'utf8' ? text : text.trim();
  if (encoding !== 'utf8' && !PATTERNS[encoding].test(trimmed)) {
    throw new TokenError('key-unusable', `${label} is not valid ${encoding}`);
  }
  const bytes = encoding === 'utf8' ? Buffer.from(trimmed, 'utf8') : Buffer.from(trimmed, encoding);
  const minimum = MIN_KEY_BYTES[algorithm];
  if (bytes.length < minimum) {
    throw new TokenError('key-unusable', `${label} is ${bytes.length} bytes; ${algorithm} needs a key of at least ${minimum} bytes (RFC 7518 §3.2)`);
  }
  return { label, bytes: new Uint8Array(bytes) };
}

/** Whether two keys are the same bytes (a "rotation" to the same key rotates nothing). */
export function sameKey(a: SigningKey, b: SigningKey): boolean {
  return Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
}
