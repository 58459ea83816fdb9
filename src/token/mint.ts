/** `token mint`: an HS256 browser-calling token (iss, sub, iat, exp), for tests and staging, signed by jose. */
import { SignJWT } from 'jose';
import { TokenError } from './errors.js';
import type { HmacAlgorithm, SigningKey } from './keys.js';
import { LATEST_EXP_S, mintTtlRange } from './ttl.js';

export interface MintOptions {
  key: SigningKey;
  algorithm: HmacAlgorithm;
  subject: string;
  issuer?: string;
  /** Whole seconds, within mintTtlRange(nowS). */
  ttlS: number;
  nowS: number;
}

export async function mintToken(options: MintOptions): Promise<string> {
  const issuedAt = Math.floor(options.nowS);
  const { minS, maxS } = mintTtlRange(options.nowS);
  const ttlS = options.ttlS;
  if (!Number.isInteger(ttlS) || ttlS < minS || ttlS > maxS) {
    throw new TokenError('ttl-out-of-range', `the TTL must be whole seconds from ${minS} to ${maxS} (exp at most ${LATEST_EXP_S}), not ${ttlS}`);
  }
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: options.algorithm, typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlS);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(options.key.bytes);
}
