import { createHash } from 'node:crypto';

/**
 * The digest algorithms we compute (RFC 7616 §6.1 IANA registry, RFC 8760 §2 for SIP). "-sess" variants hash
 * the client nonce into A1 (RFC 7616 §3.4.2). Listed strongest first.
 */
export const DIGEST_ALGORITHMS = [
  'SHA-512-256-sess',
  'SHA-512-256',
  'SHA-256-sess',
  'SHA-256',
  'MD5-sess',
  'MD5',
] as const;

export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const NODE_HASH_NAMES: Readonly<Record<DigestAlgorithm, string>> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
  'SHA-512-256': 'sha512-256',
  'SHA-512-256-sess': 'sha512-256',
};

const BY_LOWERCASE: ReadonlyMap<string, DigestAlgorithm> = new Map(
  DIGEST_ALGORITHMS.map((algorithm) => [algorithm.toLowerCase(), algorithm]),
);

/**
 * The supported algorithm named by an `algorithm` token, or undefined. Tokens compare case-insensitively
 * (RFC 7616 §3.3: "algorithm" values are case-insensitive tokens in practice; Kamailio sends "MD5" and "SHA-256").
 */
export function digestAlgorithmFromToken(token: string): DigestAlgorithm | undefined {
  return BY_LOWERCASE.get(token.trim().toLowerCase());
}

/** Higher is stronger: SHA-512-256 > SHA-256 > MD5; a -sess variant ranks with its base (RFC 7616 §3.7 order). */
export function algorithmStrength(algorithm: DigestAlgorithm): number {
  if (algorithm.startsWith('SHA-512-256')) return 3;
  if (algorithm.startsWith('SHA-256')) return 2;
  return 1;
}

/** True for the "-sess" variants whose A1 also covers nonce and cnonce (RFC 7616 §3.4.2). */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Lowercase hex digest of `data` (strings are hashed as UTF-8, RFC 7616 §3.4.1 with charset=UTF-8). */
export function digestHex(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  return createHash(NODE_HASH_NAMES[algorithm]).update(data).digest('hex');
}

/** Length in hex characters of a digest made with `algorithm` (32 for MD5, 64 for the SHA variants). */
export function digestHexLength(algorithm: DigestAlgorithm): number {
  return algorithm.startsWith('MD5') ? 32 : 64;
}
