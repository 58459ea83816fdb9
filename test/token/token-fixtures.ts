/** Keys and hand-made tokens for the token tests: tokens signed with node:crypto, independently of jose. */
import { createHmac } from 'node:crypto';

export const ACTIVE_KEY = 'active-key-for-sipscope-tests-0123456789';
export const NEXT_KEY = 'next-key-for-sipscope-tests-abcdefghijklm';
export const OTHER_KEY = 'some-other-key-nobody-configured-98765432';
export const WORKSPACE = '0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e';

const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with HMAC-SHA256/384/512 by node:crypto (or unsigned for alg none). */
export function handMadeToken(header: Record<string, unknown>, claims: unknown, key: string, hash = 'sha256'): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  if (header.alg === 'none') return `${input}.`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

export function claimsAt(nowS: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: 'acme', sub: WORKSPACE, iat: nowS, exp: nowS + 300, ...extra };
}

export const HS256 = { alg: 'HS256', typ: 'JWT' };
