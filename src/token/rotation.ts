/**
 * `token rotation-check`: the key rotation of the browser-calling gateway is "set next, wait until every token
 * signed by the active key has expired, promote next to active, clear next". For each token this says which key
 * signed it and whether it survives the promotion (after it only the promoted key verifies), and when the last
 * token signed by the active key expires: the earliest time promotion cuts off no live token.
 */
import { decodeJwt, numericDate } from './decode.js';
import { TokenError } from './errors.js';
import { sameKey, type HmacAlgorithm, type SigningKey } from './keys.js';
import { checkAlgorithm, signingKeyOf, type KeyRole } from './verify.js';

export interface RotationTokenVerdict {
  /** 1-based position in the list given. */
  index: number;
  key: KeyRole | 'none';
  expiresAt?: number;
  expired: boolean;
  /** Still accepted after next is promoted to active (signed by next and not expired). */
  survivesPromotion: boolean;
  /** Why the token is not usable at all (malformed, alg none, no key matches). */
  problem?: TokenError;
}

export interface RotationReport {
  tokens: RotationTokenVerdict[];
  /** The active and next keys are the same bytes: promotion changes nothing. */
  sameKeys: boolean;
  /** Latest `exp` (+ skew) of the live tokens signed by the active key; undefined when there are none. */
  lastActiveExpiry?: number;
  /**
   * Seconds: the earliest time promotion rejects no live token given (now when none is signed by the active key);
   * with no tokens given nothing is known of the live ones, so it is the policy time.
   */
  earliestSafePromotion: number;
  /** Seconds: when every token the active key may still sign now has expired (now + max TTL + skew). */
  policySafePromotion: number;
}

export interface RotationOptions {
  active: SigningKey;
  next: SigningKey;
  algorithm: HmacAlgorithm;
  nowS: number;
  skewS: number;
  maxTtlS: number;
}

async function verdictOf(token: string, index: number, options: RotationOptions): Promise<RotationTokenVerdict> {
  try {
    const decoded = decodeJwt(token);
    checkAlgorithm(decoded, options.algorithm);
    const key = await signingKeyOf(token, options, options.algorithm);
    const expiresAt = numericDate(decoded.claims.exp);
    const expired = expiresAt !== undefined && expiresAt + options.skewS < options.nowS;
    const problem = key === 'none' ? new TokenError('token-bad-signature', 'signed by neither the active nor the next key') : undefined;
    return { index, key, expiresAt, expired, survivesPromotion: key === 'next' && !expired, problem };
  } catch (error) {
    if (error instanceof TokenError && !error.local) return { index, key: 'none', expired: false, survivesPromotion: false, problem: error };
    throw error;
  }
}

export async function checkRotation(tokens: readonly string[], options: RotationOptions): Promise<RotationReport> {
  const verdicts: RotationTokenVerdict[] = [];
  for (const [index, token] of tokens.entries()) verdicts.push(await verdictOf(token, index + 1, options));
  const activeLive = verdicts.filter((verdict) => verdict.key === 'active' && !verdict.expired);
  // a token without exp signed by the active key never expires: promotion always cuts it off
  const expiries = activeLive.map((verdict) => (verdict.expiresAt ?? Number.POSITIVE_INFINITY) + options.skewS);
  const lastActiveExpiry = expiries.length > 0 ? Math.max(...expiries) : undefined;
  const policySafePromotion = options.nowS + options.maxTtlS + options.skewS;
  return {
    tokens: verdicts,
    sameKeys: sameKey(options.active, options.next),
    lastActiveExpiry,
    earliestSafePromotion: tokens.length === 0 ? policySafePromotion : Math.max(options.nowS, lastActiveExpiry ?? options.nowS),
    policySafePromotion,
  };
}
