/** `token mint`: an HS256 browser-calling token (iss, sub, iat, exp), for tests and staging, signed by jose. */
import { SignJWT } from 'jose';
import type { HmacAlgorithm, SigningKey } from './keys.js';
import { checkTtl, mintTtlRange } from './ttl.js';

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
  const ttlS = checkTtl(options.ttlS, mintTtlRange(options.nowS));
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: options.algorithm, typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlS);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(options.key.bytes);
}
