/** `token mint`: an HS256 browser-calling token (iss, sub, iat, exp), for tests and staging, signed by jose. */
import { SignJWT } from 'jose';
import type { HmacAlgorithm, SigningKey } from './keys.js';

export interface MintOptions {
  key: SigningKey;
  algorithm: HmacAlgorithm;
  subject: string;
  issuer?: string;
  ttlS: number;
  nowS: number;
}

export async function mintToken(options: MintOptions): Promise<string> {
  const issuedAt = Math.floor(options.nowS);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: options.algorithm, typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + Math.round(options.ttlS));
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(options.key.bytes);
}
