/**
 * Kamailio auth_ephemeral credentials (module README, "How ephemeral credentials work", after
 * draft-uberti-rtcweb-turn-rest): the username joins a UNIX expiry timestamp and the user with ':' -
 * `<expiry>:<user>` (username_format 1, the default) or `<user>:<expiry>` (0, deprecated) - and the password is
 * base64(HMAC(secret, username)), HMAC-SHA1 by default (sha_algorithm 0; 1 SHA256, 2 SHA384, 3 SHA512). Several
 * secrets may be valid at once (the module's `secret` parameter can be set more than once).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TokenError } from './errors.js';
import { checkTtl, ttlRangeUntil, type TtlRange } from './ttl.js';

export const EPHEMERAL_HASHES = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type EphemeralHash = (typeof EPHEMERAL_HASHES)[number];
/** auth_ephemeral `username_format`: 1 = `<expiry>:<user>` (default), 0 = `<user>:<expiry>`. */
export type UsernameFormat = 0 | 1;

export interface EphemeralSecret {
  /** Where it came from, for messages; never the secret. */
  label: string;
  bytes: Uint8Array;
}

export interface EphemeralCredentials {
  username: string;
  password: string;
  expiresAt: number;
}

export function ephemeralUsername(user: string, expiresAt: number, format: UsernameFormat): string {
  if (user === '') return String(expiresAt);
  return format === 1 ? `${expiresAt}:${user}` : `${user}:${expiresAt}`;
}

export function ephemeralPassword(username: string, secret: EphemeralSecret, hash: EphemeralHash): string {
  return createHmac(hash, secret.bytes).update(username, 'utf8').digest('base64');
}

export function makeEphemeral(
  user: string, secret: EphemeralSecret, options: { ttlS: number; nowS: number; format: UsernameFormat; hash: EphemeralHash },
): EphemeralCredentials {
  const expiresAt = Math.floor(options.nowS) + checkTtl(options.ttlS, ephemeralTtlRange(options.nowS));
  const username = ephemeralUsername(user, expiresAt, options.format);
  return { username, password: ephemeralPassword(username, secret, options.hash), expiresAt };
}

/** The largest timestamp autheph's str2int() takes into its unsigned int (2106-02-07T06:28:15Z). */
const MAX_EXPIRY = 0xffffffff;

/**
 * The TTLs a credential made at `nowS` may have: whole seconds, its expiry at most MAX_EXPIRY (a later one is a
 * username the module refuses, and parseEphemeralUsername calls malformed).
 */
export function ephemeralTtlRange(nowS: number): TtlRange {
  return ttlRangeUntil(MAX_EXPIRY, nowS);
}

/**
 * The expiry timestamp and user of an auth_ephemeral username, read as the module reads it
 * (autheph_verify_timestamp): at the FIRST ':', the timestamp before it (format 1) or after it (format 0); the whole
 * username when it has no ':' or ends with it; the timestamp must be all digits and fit an unsigned int. Throws
 * TokenError('credential-malformed').
 */
export function parseEphemeralUsername(username: string, format: UsernameFormat): { expiresAt: number; user: string } {
  const colon = username.indexOf(':');
  const split = colon >= 0 && colon < username.length - 1;
  const [stamp, user] = !split ? [username, ''] : format === 1
    ? [username.slice(0, colon), username.slice(colon + 1)]
    : [username.slice(colon + 1), username.slice(0, colon)];
  if (!/^\d{1,10}$/.test(stamp) || Number(stamp) > MAX_EXPIRY) {
    const shape = format === 1 ? '<expiry>:<user>' : '<user>:<expiry>';
    throw new TokenError('credential-malformed', `the username is not ${shape} with a UNIX timestamp as expiry (auth_ephemeral username_format ${format})`);
  }
  return { expiresAt: Number(stamp), user };
}

export interface EphemeralVerdict {
  valid: boolean;
  /** 1-based index of the secret that matched (in the order given), or 0 for none. */
  secret: number;
  expiresAt?: number;
  user?: string;
  error?: TokenError;
}

/**
 * Checks the password against each secret and the expiry against now, as autheph does (autheph_verify_timestamp:
 * expired once now > expiry; autheph itself allows no skew, so callers pass 0 unless asked for more).
 */
export function verifyEphemeral(
  username: string, password: string, secrets: readonly EphemeralSecret[],
  options: { nowS: number; skewS: number; format: UsernameFormat; hash: EphemeralHash },
): EphemeralVerdict {
  let parsed: { expiresAt: number; user: string };
  try {
    parsed = parseEphemeralUsername(username, options.format);
  } catch (error) {
    return { valid: false, secret: 0, error: error as TokenError };
  }
  const given = Buffer.from(password, 'utf8');
  const index = secrets.findIndex((secret) => {
    const expected = Buffer.from(ephemeralPassword(username, secret, options.hash), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  const base = { secret: index + 1, expiresAt: parsed.expiresAt, user: parsed.user };
  if (index < 0) {
    return { ...base, valid: false, error: new TokenError('credential-bad-password', `the password matches none of the ${secrets.length} secret(s) (HMAC-${options.hash.toUpperCase()})`) };
  }
  if (parsed.expiresAt + options.skewS < options.nowS) {
    return { ...base, valid: false, error: new TokenError('credential-expired', `expired ${Math.round(options.nowS - parsed.expiresAt)} s ago`) };
  }
  return { ...base, valid: true };
}

/**
 * Whether a credential string is an auth_ephemeral username rather than a JWT: a ':' (never in base64url, so never in
 * a compact JWT) or a bare timestamp (a username without user part).
 */
export function looksEphemeral(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.includes(':') || /^\d{1,12}$/.test(trimmed);
}
