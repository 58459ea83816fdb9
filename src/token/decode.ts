/**
 * A JWT in JWS compact serialisation (RFC 7515 §7.1, RFC 7519 §7.2) split and decoded without verifying it: the
 * header and claims as objects, for `token inspect` and for reporting a token's lifetime. Verification is jose's
 * job (verify.ts); this file only gives precise errors for what is not a JWT at all.
 */
import { TokenError } from './errors.js';

/** Larger tokens are refused before decoding (a browser token is a few hundred bytes; HTTP servers cap headers at 8-16 KiB). */
export const MAX_TOKEN_BYTES = 16_384;

export interface JwtHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  [name: string]: unknown;
}

export interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  iat?: unknown;
  nbf?: unknown;
  exp?: unknown;
  [name: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  /** Length in bytes of the signature (0 for `alg: none`). */
  signatureBytes: number;
  /** The token's length in characters. */
  length: number;
}

const SEGMENT_NAMES = ['header', 'claims', 'signature'] as const;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string, index: number, offset: number): Buffer {
  const bad = segment.search(/[^A-Za-z0-9_-]/);
  if (!BASE64URL.test(segment)) {
    const char = JSON.stringify(segment[bad]);
    throw new TokenError('token-malformed', `the ${SEGMENT_NAMES[index]} segment is not base64url (RFC 7515 §2): character ${char} at offset ${offset + bad}`);
  }
  // a length of 4n+1 characters cannot come from any byte string
  if (segment.length % 4 === 1) throw new TokenError('token-malformed', `the ${SEGMENT_NAMES[index]} segment has an impossible base64url length (${segment.length})`);
  return Buffer.from(segment, 'base64url');
}

function jsonObject(bytes: Buffer, index: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'not UTF-8';
    throw new TokenError('token-malformed', `the ${SEGMENT_NAMES[index]} segment is not JSON (${reason})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new TokenError('token-malformed', `the ${SEGMENT_NAMES[index]} segment is ${kind}, not a JSON object (RFC 7519 §7.2)`);
  }
  return value as Record<string, unknown>;
}

/** Header and claims of a compact JWT; throws TokenError('token-malformed' | 'token-too-large'). */
export function decodeJwt(token: string): DecodedJwt {
  const text = token.trim();
  if (Buffer.byteLength(text) > MAX_TOKEN_BYTES) {
    throw new TokenError('token-too-large', `the token is ${Buffer.byteLength(text)} bytes, over the ${MAX_TOKEN_BYTES}-byte limit`);
  }
  if (text === '') throw new TokenError('token-malformed', 'the token is empty');
  const segments = text.split('.');
  if (segments.length !== 3) {
    const hint = segments.length === 5 ? ' (5 segments: an encrypted JWE, not a signed JWT)' : '';
    throw new TokenError('token-malformed', `a JWT has 3 dot-separated segments (RFC 7515 §7.1), this has ${segments.length}${hint}`);
  }
  let offset = 0;
  const decoded = segments.map((segment, index) => {
    const bytes = decodeSegment(segment, index, offset);
    offset += segment.length + 1;
    return bytes;
  });
  if (segments[0] === '') throw new TokenError('token-malformed', 'the header segment is empty');
  const header = jsonObject(decoded[0], 0);
  const claims = jsonObject(decoded[1], 1);
  return { header, claims, signatureBytes: decoded[2].length, length: text.length };
}

/** A NumericDate claim (RFC 7519 §2: seconds since the epoch) or undefined when absent or not a number. */
export function numericDate(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
