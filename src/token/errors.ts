/**
 * Errors of the token layer. Each has a stable `code`, and `local` says whose fault it is: true for our side (a
 * missing or unusable key: exit 2), false for the token itself (malformed, forged, expired: the token is invalid,
 * exit 1). Messages name the part at fault (segment, claim, byte offset), never the token or key itself.
 */

export type TokenErrorCode =
  /** Not three dot-separated segments, bad base64url, not JSON, JSON that is not an object (RFC 7519 §7.2). */
  | 'token-malformed'
  /** Longer than MAX_TOKEN_BYTES: refused before decoding. */
  | 'token-too-large'
  /** `alg: none` (an unsecured JWS, RFC 7515 §A.5): never accepted. */
  | 'token-alg-none'
  /** An algorithm other than the accepted one(s) (RFC 8725 §3.1: the verifier decides the algorithm). */
  | 'token-alg-not-allowed'
  /** The signature matches neither the active nor the next key. */
  | 'token-bad-signature'
  /** `exp` is in the past beyond the allowed clock skew (RFC 7519 §4.1.4). */
  | 'token-expired'
  /** `nbf` or `iat` in the future beyond the allowed clock skew (RFC 7519 §4.1.5, §4.1.6). */
  | 'token-not-yet-valid'
  /** A required claim is absent or has the wrong type. */
  | 'token-claim-missing'
  /** `iss` or `sub` differ from the expected value. */
  | 'token-claim-mismatch'
  /** auth_ephemeral username not `<expiry>:<user>` (or `<user>:<expiry>`), or a password that does not match. */
  | 'credential-malformed'
  | 'credential-bad-password'
  | 'credential-expired'
  /** Local: the key is shorter than the hash output (RFC 7518 §3.2) or not valid in its encoding. */
  | 'key-unusable'
  /** Local: a lifetime to mint with that is no whole number of seconds in its range (mint.ts mintTtlRange). */
  | 'ttl-out-of-range';

export class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly local: boolean;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
    this.code = code;
    this.local = code === 'key-unusable' || code === 'ttl-out-of-range';
  }
}
