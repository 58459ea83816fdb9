/**
 * The lifetimes a token or credential may be minted with (mint.ts, ephemeral.ts; the CLI checks --ttl and
 * --mint-ttl against them). No jose here: the CLI's start-up path reads it.
 */
import { TokenError } from './errors.js';

/** Whole seconds from minS to maxS: what keeps the expiry at or before latestS. */
export interface TtlRange {
  minS: number;
  maxS: number;
  /** The latest expiry (seconds since 1970) the token or credential can carry. */
  latestS: number;
}

/**
 * The latest `exp` a minted token may have: the last second a JavaScript Date holds (ECMA-262 §21.4.1.1: 8.64e15 ms
 * after 1970, year 275760). Far below 2^53, so `exp` stays an exact integer NumericDate (RFC 7519 §2) that token
 * inspect/verify, and every verifier in JavaScript, can compare and show as a date.
 */
export const LATEST_EXP_S = 8_640_000_000_000;

/**
 * The TTLs for an expiry at most `latestS`, minted at `nowS`, in whole seconds: at least 1 (a TTL of 0 is expired
 * when issued). Whole, because the issue time and the expiry are whole seconds: a fraction rounded away changed the
 * lifetime asked for (0.4 s made a token that expired when issued).
 */
export function ttlRangeUntil(latestS: number, nowS: number): TtlRange {
  return { minS: 1, maxS: latestS - Math.floor(nowS), latestS };
}

/** The TTLs a token minted at `nowS` may have (token mint). */
export function mintTtlRange(nowS: number): TtlRange {
  return ttlRangeUntil(LATEST_EXP_S, nowS);
}

/** `ttlS` when it is whole seconds within `range`; else TokenError('ttl-out-of-range'), a local error. */
export function checkTtl(ttlS: number, range: TtlRange): number {
  if (!Number.isInteger(ttlS) || ttlS < range.minS || ttlS > range.maxS) {
    throw new TokenError('ttl-out-of-range', `the TTL must be whole seconds from ${range.minS} to ${range.maxS} (expiry at most ${range.latestS}), not ${ttlS}`);
  }
  return ttlS;
}
