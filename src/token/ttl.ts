/** The lifetimes a token may be minted with (mint.ts; the CLI checks --ttl and --mint-ttl against them). No jose here: the CLI's start-up path reads it. */

/**
 * The latest `exp` a minted token may have: the last second a JavaScript Date holds (ECMA-262 §21.4.1.1: 8.64e15 ms
 * after 1970, year 275760). Far below 2^53, so `exp` stays an exact integer NumericDate (RFC 7519 §2) that token
 * inspect/verify, and every verifier in JavaScript, can compare and show as a date.
 */
export const LATEST_EXP_S = 8_640_000_000_000;

/**
 * The TTLs a token minted at `nowS` may have, in whole seconds: at least 1 (a TTL of 0 is a token expired when
 * issued), at most what keeps `exp` at LATEST_EXP_S. Whole, because `iat` and `exp` are whole seconds here: a
 * fraction rounded away changed the lifetime asked for (0.4 s made a token that expired when issued).
 */
export function mintTtlRange(nowS: number): { minS: number; maxS: number } {
  return { minS: 1, maxS: LATEST_EXP_S - Math.floor(nowS) };
}
