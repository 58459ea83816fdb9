/**
 * `token inspect`: a decoded token judged against the browser-calling token policy: HS256, claims iss, sub (a
 * workspace UUID), iat and exp, a TTL of at most 5 minutes. Problems are findings (warning or error), not throws:
 * an inspected token is shown even when it would be refused.
 */
import { decodeJwt, numericDate, type DecodedJwt } from './decode.js';

export const REQUIRED_CLAIMS = ['iss', 'sub', 'iat', 'exp'] as const;
export const DEFAULT_MAX_TTL_S = 300;

/** RFC 9562 §4 textual UUID (any version/variant; the nil and max UUIDs included). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TokenFinding {
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface InspectPolicy {
  /** The algorithm the gateway expects (HS256). */
  algorithm: string;
  maxTtlS: number;
  /** Seconds; the current time. */
  nowS: number;
  /** Allowed clock difference for `iat` in the future, seconds. */
  skewS: number;
}

export interface TokenTimes {
  issuedAt?: number;
  notBefore?: number;
  expiresAt?: number;
  /** exp - iat, seconds. */
  ttlS?: number;
  /** exp - now, seconds (negative once expired). */
  remainingS?: number;
}

export interface InspectedToken {
  decoded: DecodedJwt;
  times: TokenTimes;
  findings: TokenFinding[];
}

export function tokenTimes(decoded: DecodedJwt, nowS: number): TokenTimes {
  const issuedAt = numericDate(decoded.claims.iat);
  const notBefore = numericDate(decoded.claims.nbf);
  const expiresAt = numericDate(decoded.claims.exp);
  return {
    issuedAt,
    notBefore,
    expiresAt,
    ttlS: issuedAt !== undefined && expiresAt !== undefined ? expiresAt - issuedAt : undefined,
    remainingS: expiresAt !== undefined ? expiresAt - nowS : undefined,
  };
}

function claimFindings(decoded: DecodedJwt): TokenFinding[] {
  const findings: TokenFinding[] = [];
  for (const name of REQUIRED_CLAIMS) {
    const value = decoded.claims[name];
    if (value === undefined) {
      findings.push({ severity: 'warning', code: 'claim-missing', message: `claim "${name}" is missing` });
    } else if ((name === 'iat' || name === 'exp') && numericDate(value) === undefined) {
      findings.push({ severity: 'warning', code: 'claim-type', message: `claim "${name}" is not a NumericDate (RFC 7519 §2)` });
    } else if ((name === 'iss' || name === 'sub') && typeof value !== 'string') {
      findings.push({ severity: 'warning', code: 'claim-type', message: `claim "${name}" is not a string (RFC 7519 §4.1)` });
    }
  }
  const sub = decoded.claims.sub;
  if (typeof sub === 'string' && !UUID_PATTERN.test(sub)) {
    findings.push({ severity: 'warning', code: 'sub-not-uuid', message: `claim "sub" is not a UUID (the workspace UUID is expected)` });
  }
  return findings;
}

function timeFindings(times: TokenTimes, policy: InspectPolicy): TokenFinding[] {
  const findings: TokenFinding[] = [];
  if (times.ttlS !== undefined && times.ttlS > policy.maxTtlS) {
    findings.push({ severity: 'warning', code: 'ttl-above-policy', message: `TTL ${times.ttlS} s is above the policy of ${policy.maxTtlS} s` });
  }
  if (times.ttlS !== undefined && times.ttlS <= 0) {
    findings.push({ severity: 'warning', code: 'ttl-not-positive', message: `"exp" is not after "iat" (TTL ${times.ttlS} s)` });
  }
  if (times.issuedAt !== undefined && times.issuedAt > policy.nowS + policy.skewS) {
    findings.push({ severity: 'warning', code: 'iat-in-future', message: `"iat" is ${Math.round(times.issuedAt - policy.nowS)} s in the future` });
  }
  if (times.remainingS !== undefined && times.remainingS < 0) {
    findings.push({ severity: 'warning', code: 'expired', message: `expired ${Math.round(-times.remainingS)} s ago` });
  }
  return findings;
}

function algorithmFindings(decoded: DecodedJwt, policy: InspectPolicy): TokenFinding[] {
  const alg = decoded.header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    return [{ severity: 'error', code: 'alg-none', message: 'alg "none": an unsigned token (RFC 7515 §A.5), never to be accepted' }];
  }
  if (alg === undefined) return [{ severity: 'error', code: 'alg-missing', message: 'the header has no "alg" (RFC 7515 §4.1.1 requires it)' }];
  if (alg !== policy.algorithm) {
    return [{ severity: 'warning', code: 'unexpected-alg', message: `algorithm ${JSON.stringify(alg)}, expected ${policy.algorithm}` }];
  }
  return [];
}

/** Decodes (throws TokenError when the token is not a JWT) and judges the token. */
export function inspectToken(token: string, policy: InspectPolicy): InspectedToken {
  const decoded = decodeJwt(token);
  const times = tokenTimes(decoded, policy.nowS);
  const findings = [...algorithmFindings(decoded, policy), ...claimFindings(decoded), ...timeFindings(times, policy)];
  return { decoded, times, findings };
}
