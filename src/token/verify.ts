/**
 * `token verify` and the key half of `token rotation-check`: which key (active, then next) verifies a token's
 * signature, then its expiry with clock skew and its required claims. Signatures and claims are checked by jose;
 * `alg: none` and algorithms other than the accepted one are refused before any key is tried (RFC 8725 §3.1:
 * the verifier, not the token, picks the algorithm).
 */
import { compactVerify, errors as jose, jwtVerify, type JWTPayload } from 'jose';
import { decodeJwt, type DecodedJwt } from './decode.js';
import { TokenError } from './errors.js';
import { REQUIRED_CLAIMS } from './inspect.js';
import type { HmacAlgorithm, SigningKey } from './keys.js';

export type KeyRole = 'active' | 'next';

export interface VerifyKeys {
  active: SigningKey;
  next?: SigningKey;
}

export interface VerifyOptions {
  algorithm: HmacAlgorithm;
  /** Expected `iss` and `sub`, when given. */
  issuer?: string;
  subject?: string;
  /** The audience this verifier is (`--aud`); without it a token naming an audience is refused (RFC 7519 §4.1.3). */
  audience?: string;
  /** Allowed clock difference, seconds. */
  skewS: number;
  /** The current time, seconds (tests pass a fixed one). */
  nowS: number;
}

export interface VerifyResult {
  valid: boolean;
  /** The key whose signature matched; 'none' when neither did (or the token was refused before any key was tried). */
  key: KeyRole | 'none';
  decoded: DecodedJwt;
  /** Why the token is invalid. */
  error?: TokenError;
}

function keysInOrder(keys: VerifyKeys): [KeyRole, SigningKey][] {
  return keys.next ? [['active', keys.active], ['next', keys.next]] : [['active', keys.active]];
}

/** Refuses `alg: none` and any algorithm but the accepted one; throws TokenError. */
export function checkAlgorithm(decoded: DecodedJwt, algorithm: HmacAlgorithm): void {
  const alg = decoded.header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    throw new TokenError('token-alg-none', 'alg "none" (an unsigned token, RFC 7515 §A.5) is never accepted');
  }
  if (alg !== algorithm) {
    throw new TokenError('token-alg-not-allowed', `algorithm ${JSON.stringify(alg ?? null)} is not accepted (expected ${algorithm})`);
  }
}

/** The key whose HMAC matches the signature, ignoring claims and times; 'none' when neither does. */
export async function signingKeyOf(token: string, keys: VerifyKeys, algorithm: HmacAlgorithm): Promise<KeyRole | 'none'> {
  for (const [role, key] of keysInOrder(keys)) {
    try {
      await compactVerify(token.trim(), key.bytes, { algorithms: [algorithm] });
      return role;
    } catch (error) {
      if (!(error instanceof jose.JWSSignatureVerificationFailed)) throw tokenErrorOf(error);
    }
  }
  return 'none';
}

/** jose's errors as TokenErrors with our codes. */
export function tokenErrorOf(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof jose.JWTExpired) return new TokenError('token-expired', `expired: ${error.message}`, { cause: error });
  if (error instanceof jose.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new TokenError('token-claim-missing', `claim "${error.claim}" is missing`, { cause: error });
    if (error.claim === 'nbf' || error.claim === 'iat') {
      const code = error.reason === 'check_failed' ? 'token-not-yet-valid' : 'token-claim-missing';
      return new TokenError(code, `claim "${error.claim}": ${error.message}`, { cause: error });
    }
    if (error.reason === 'check_failed') return new TokenError('token-claim-mismatch', `claim "${error.claim}" does not match: ${error.message}`, { cause: error });
    return new TokenError('token-claim-missing', `claim "${error.claim}" is unusable: ${error.message}`, { cause: error });
  }
  if (error instanceof jose.JOSEAlgNotAllowed) return new TokenError('token-alg-not-allowed', error.message, { cause: error });
  if (error instanceof jose.JWSSignatureVerificationFailed) return new TokenError('token-bad-signature', 'the signature matches no key', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new TokenError('token-malformed', `not a usable JWT: ${message}`, { cause: error });
}

/**
 * RFC 7519 §4.1.3: "If the principal processing the claim does not identify itself with a value in the "aud" claim
 * when this claim is present, then the JWT MUST be rejected." jose checks `aud` only when given an audience, so a
 * verifier given none refuses any token that names one (as PyJWT does).
 */
function checkAudiencePresent(claims: JWTPayload, audience: string | undefined): void {
  if (audience !== undefined || !('aud' in claims)) return;
  throw new TokenError('token-claim-mismatch', `claim "aud" names an audience (${JSON.stringify(claims.aud)}) and no --aud was given: a verifier that is not in "aud" must reject the token (RFC 7519 §4.1.3)`);
}

/** RFC 7519 §4.1.1, §4.1.2: `iss` and `sub` are StringOrURI, i.e. JSON strings; jose checks their types only when asked to match them. */
function checkStringClaims(claims: JWTPayload): void {
  for (const name of ['iss', 'sub'] as const) {
    const value: unknown = claims[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new TokenError('token-claim-missing', `claim "${name}" is unusable: not a string (RFC 7519 §4.1) but ${JSON.stringify(value)}`);
    }
  }
}

/** Claims checks of a token whose signature a key matched (RFC 7519 §4.1: exp, nbf, iss, sub, aud; iat not in the future). */
async function verifyClaims(token: string, key: SigningKey, options: VerifyOptions): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, key.bytes, {
    algorithms: [options.algorithm],
    issuer: options.issuer,
    subject: options.subject,
    audience: options.audience,
    clockTolerance: options.skewS,
    currentDate: new Date(options.nowS * 1000),
    requiredClaims: [...REQUIRED_CLAIMS],
  });
  checkStringClaims(payload);
  checkAudiencePresent(payload, options.audience);
  if (typeof payload.iat === 'number' && payload.iat > options.nowS + options.skewS) {
    throw new TokenError('token-not-yet-valid', `"iat" is ${Math.round(payload.iat - options.nowS)} s in the future (beyond the ${options.skewS} s skew)`);
  }
  return payload;
}

/** An expiry error that says when, instead of jose's generic text. */
function withTimes(error: TokenError, decoded: DecodedJwt, nowS: number): TokenError {
  const exp = decoded.claims.exp;
  if (error.code !== 'token-expired' || typeof exp !== 'number') return error;
  return new TokenError('token-expired', `expired ${Math.round(nowS - exp)} s ago (exp ${new Date(exp * 1000).toISOString()})`, { cause: error });
}

/**
 * Verifies a token: malformed input, `alg: none` and other algorithms give an invalid result with key 'none';
 * otherwise the first key whose signature matches is reported and the claims are checked. Throws only for
 * problems of our own (TokenError with `local`), never for a bad token.
 */
export async function verifyToken(token: string, keys: VerifyKeys, options: VerifyOptions): Promise<VerifyResult> {
  const decoded = decodeJwt(token);
  try {
    checkAlgorithm(decoded, options.algorithm);
    const key = await signingKeyOf(token, keys, options.algorithm);
    if (key === 'none') {
      const tried = keys.next ? 'matches neither the active nor the next key' : 'does not match the active key (no next key given)';
      return { valid: false, key, decoded, error: new TokenError('token-bad-signature', `the signature ${tried}`) };
    }
    const signing = key === 'active' ? keys.active : keys.next!;
    try {
      await verifyClaims(token.trim(), signing, options);
      return { valid: true, key, decoded };
    } catch (error) {
      return { valid: false, key, decoded, error: withTimes(tokenErrorOf(error), decoded, options.nowS) };
    }
  } catch (error) {
    const tokenError = tokenErrorOf(error);
    if (tokenError.local) throw tokenError;
    return { valid: false, key: 'none', decoded, error: tokenError };
  }
}
