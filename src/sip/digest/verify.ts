import { timingSafeEqual } from 'node:crypto';
import type { DigestQop } from './challenge.js';
import type { DigestCredentials } from './credentials.js';
import { digestAlgorithmFromToken, digestHex, digestHexLength, type DigestAlgorithm } from './hash.js';
import type { NonceState } from './nonce.js';
import { computeHa1, computeResponse } from './response.js';

export type VerifyReason =
  | 'ok'
  | 'bad-response'
  | 'stale-nonce'
  | 'unknown-nonce'
  | 'wrong-realm'
  | 'wrong-username'
  | 'uri-mismatch'
  | 'unsupported-algorithm'
  | 'algorithm-not-offered'
  | 'unsupported-qop'
  | 'qop-not-offered'
  | 'missing-param'
  | 'replayed-nonce-count'
  | 'missing-secret';

export interface VerifyOptions {
  /** Method of the request that carried the credentials (RFC 7616 §3.4.3 A2). */
  method: string;
  /** Request-URI of that request; when given, must equal the credentials' uri (RFC 7616 §3.4.6). */
  uri?: string;
  body?: string | Uint8Array;
  /** Our realm; the credentials must name it (RFC 3261 §22.1). */
  realm: string;
  /** Expected username (the account being checked), when the caller wants it enforced. */
  username?: string;
  /** The stored secret: the password, or H(username:realm:password) made with the credentials' algorithm. */
  password?: string;
  ha1?: string;
  /** The nonce we issued for this exchange; a different one is 'unknown-nonce'. */
  expectedNonce?: string;
  /** Or a validator such as NonceIssuer.check: 'invalid' -> 'unknown-nonce', 'stale' -> 'stale-nonce'. */
  checkNonce?: (nonce: string) => NonceState;
  /** Algorithms we offered; credentials using another one are refused (downgrade protection). */
  allowedAlgorithms?: readonly DigestAlgorithm[];
  /**
   * The qop values we offered; when given, the answer must carry one of them (RFC 7616 §3.4: qop "MUST be one of the
   * alternatives the server indicated it supports"; RFC 3261 §22.4 item 8: a client that received qop MUST send it).
   */
  offeredQop?: readonly DigestQop[];
  /** The highest nc already accepted for this nonce; nc must exceed it (RFC 7616 §3.4, replay protection). */
  lastNonceCount?: number;
}

export interface VerifyResult {
  ok: boolean;
  reason: VerifyReason;
  /** The algorithm the credentials used, when supported. */
  algorithm?: DigestAlgorithm;
  /** nc as a number, when the credentials had one. */
  nonceCount?: number;
}

function constantTimeHexEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function readQop(credentials: DigestCredentials): DigestQop | null | undefined {
  if (credentials.qop === undefined) return null;
  const qop = credentials.qop.toLowerCase();
  return qop === 'auth' || qop === 'auth-int' ? qop : undefined;
}

/**
 * Server-side check of Digest credentials (RFC 3261 §22.4, RFC 7616 §3.4). Order: realm, username, uri, algorithm,
 * qop parameters, nonce origin, response, nonce freshness, nc replay — so 'stale-nonce' is only reported for
 * otherwise correct credentials (RFC 7616 §3.3: stale=true means "the request digest was valid").
 */
export function verifyAuthorization(credentials: DigestCredentials, options: VerifyOptions): VerifyResult {
  if (credentials.realm !== options.realm) return { ok: false, reason: 'wrong-realm' };
  if (options.uri !== undefined && credentials.uri !== options.uri) return { ok: false, reason: 'uri-mismatch' };
  const algorithm = digestAlgorithmFromToken(credentials.algorithm ?? 'MD5');
  if (algorithm === undefined) return { ok: false, reason: 'unsupported-algorithm' };
  if (options.allowedAlgorithms !== undefined && !options.allowedAlgorithms.includes(algorithm)) {
    return { ok: false, reason: 'algorithm-not-offered', algorithm };
  }
  if (options.username !== undefined) {
    const expectedName = credentials.userhash ? digestHex(algorithm, `${options.username}:${options.realm}`) : options.username;
    if (credentials.username !== expectedName) return { ok: false, reason: 'wrong-username', algorithm };
  }
  const qop = readQop(credentials);
  if (qop === undefined) return { ok: false, reason: 'unsupported-qop', algorithm };
  if (options.offeredQop !== undefined && (qop === null || !options.offeredQop.includes(qop))) {
    return { ok: false, reason: 'qop-not-offered', algorithm };
  }
  let nonceCount: number | undefined;
  if (qop !== null) {
    if (credentials.cnonce === undefined || credentials.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(credentials.nc)) {
      return { ok: false, reason: 'missing-param', algorithm };
    }
    nonceCount = parseInt(credentials.nc, 16);
  }
  if (algorithm.endsWith('-sess') && credentials.cnonce === undefined) return { ok: false, reason: 'missing-param', algorithm };
  const result = (ok: boolean, reason: VerifyReason): VerifyResult => {
    const verdict: VerifyResult = { ok, reason, algorithm };
    if (nonceCount !== undefined) verdict.nonceCount = nonceCount;
    return verdict;
  };

  if (options.expectedNonce !== undefined && credentials.nonce !== options.expectedNonce) return result(false, 'unknown-nonce');
  const nonceState = options.checkNonce?.(credentials.nonce) ?? 'valid';
  if (nonceState === 'invalid') return result(false, 'unknown-nonce');

  let ha1 = options.ha1;
  if (ha1 === undefined) {
    if (options.password === undefined) return result(false, 'missing-secret');
    if (credentials.userhash && options.username === undefined) return result(false, 'missing-param');
    const plainName = credentials.userhash ? options.username! : credentials.username;
    ha1 = computeHa1(algorithm, plainName, options.realm, options.password);
  }
  if (credentials.response.length !== digestHexLength(algorithm)) return result(false, 'bad-response');
  const expected = computeResponse({
    algorithm,
    ha1,
    nonce: credentials.nonce,
    method: options.method,
    uri: credentials.uri,
    qop,
    cnonce: credentials.cnonce,
    nc: credentials.nc,
    body: options.body,
  });
  if (!constantTimeHexEqual(credentials.response, expected)) return result(false, 'bad-response');
  if (nonceState === 'stale') return result(false, 'stale-nonce');
  if (options.lastNonceCount !== undefined && nonceCount !== undefined && nonceCount <= options.lastNonceCount) {
    return result(false, 'replayed-nonce-count');
  }
  return result(true, 'ok');
}
