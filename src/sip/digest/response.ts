import { randomBytes } from 'node:crypto';
import { chooseQop, type DigestChallenge, type DigestQop } from './challenge.js';
import { quoteString, type DigestCredentials } from './credentials.js';
import { DigestError } from './errors.js';
import { digestHex, isSessionAlgorithm, type DigestAlgorithm } from './hash.js';

/** The inputs of the response computation (RFC 7616 §3.4.1–§3.4.3, RFC 2617 §3.2.2). */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password), the stored secret; see computeHa1. */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  qop: DigestQop | null;
  cnonce?: string;
  /** nc as 8 hex digits. */
  nc?: string;
  /** Entity body, hashed for qop=auth-int (empty when absent). */
  body?: string | Uint8Array;
}

/** H(username ":" realm ":" password) — RFC 7616 §3.4.2 A1 for the non-session algorithms. */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHex(algorithm, `${username}:${realm}:${password}`);
}

/** nc-value: 8 lowercase hex digits (RFC 7616 §3.4, RFC 3261 §25.1). */
export function formatNonceCount(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > 0xffffffff) {
    throw new RangeError(`nonce count must be an integer in 1..4294967295, got ${count}`);
  }
  return count.toString(16).padStart(8, '0');
}

/** The request-digest ("response" parameter). */
export function computeResponse(input: DigestResponseInput): string {
  const { algorithm, nonce, qop } = input;
  if (qop !== null && (input.cnonce === undefined || input.nc === undefined)) {
    throw new DigestError('digest-missing-param', `qop=${qop} needs cnonce and nc`);
  }
  // RFC 7616 §3.4.2: for -sess, A1 = H(user:realm:pass) ":" nonce ":" cnonce.
  let ha1 = input.ha1;
  if (isSessionAlgorithm(algorithm)) {
    if (input.cnonce === undefined) throw new DigestError('digest-missing-param', `${algorithm} needs a cnonce`);
    ha1 = digestHex(algorithm, `${ha1}:${nonce}:${input.cnonce}`);
  }
  // RFC 7616 §3.4.3: A2 = method ":" uri, plus ":" H(entity-body) for auth-int.
  const a2 =
    qop === 'auth-int'
      ? `${input.method}:${input.uri}:${digestHex(algorithm, input.body ?? '')}`
      : `${input.method}:${input.uri}`;
  const ha2 = digestHex(algorithm, a2);
  // RFC 7616 §3.4.1 with qop; RFC 2069 compatibility (RFC 2617 §3.2.2.1) without.
  return qop === null
    ? digestHex(algorithm, `${ha1}:${nonce}:${ha2}`)
    : digestHex(algorithm, `${ha1}:${nonce}:${input.nc}:${input.cnonce}:${qop}:${ha2}`);
}

export interface BuildAuthorizationInput {
  challenge: DigestChallenge;
  username: string;
  /** The password; or give `ha1` (H(username:realm:password) with the challenge's hash) instead. */
  password?: string;
  ha1?: string;
  method: string;
  /** The Request-URI of the request being authorized (RFC 3261 §22.4). */
  uri: string;
  body?: string | Uint8Array;
  /** Client nonce; random 128 bits when absent. */
  cnonce?: string;
  /** 1-based count of requests sent with this nonce (see NonceCounter). */
  nonceCount?: number;
  /** Force a qop; by default chooseQop(challenge). */
  qop?: DigestQop | null;
}

export interface BuiltAuthorization {
  /** 'authorization' for a WWW-Authenticate challenge, 'proxy-authorization' for Proxy-Authenticate. */
  header: 'authorization' | 'proxy-authorization';
  /** The header value, e.g. `Digest username="alice", realm="...", ...`. */
  value: string;
  /** What was sent, as parseAuthorization would read it back. */
  params: DigestCredentials;
}

function resolveQop(input: BuildAuthorizationInput): DigestQop | null {
  const { challenge } = input;
  if (input.qop === undefined) {
    const chosen = chooseQop(challenge);
    if (chosen === undefined) {
      throw new DigestError('digest-unsupported-qop', `realm "${challenge.realm}" offers only qop="${challenge.qop.join(',')}"`, challenge.header);
    }
    return chosen;
  }
  if (input.qop !== null && !challenge.qop.includes(input.qop)) {
    throw new DigestError('digest-unsupported-qop', `qop=${input.qop} was not offered by realm "${challenge.realm}"`, challenge.header);
  }
  return input.qop;
}

/**
 * Answer a challenge (RFC 3261 §22.2–§22.4, RFC 7616 §3.4). The realm, nonce, opaque and algorithm are those of the
 * challenge, never configured ones; the algorithm token is echoed exactly as offered (and omitted when the
 * challenge had none, RFC 2069 style). With userhash=true the username is sent hashed (RFC 7616 §3.4.4).
 */
export function buildAuthorization(input: BuildAuthorizationInput): BuiltAuthorization {
  const { challenge } = input;
  const algorithm = challenge.algorithm;
  if (algorithm === undefined) {
    throw new DigestError('digest-unsupported-algorithm', `algorithm "${challenge.algorithmOffered}" of realm "${challenge.realm}" is not supported`, challenge.header);
  }
  const qop = resolveQop(input);
  let ha1 = input.ha1;
  if (ha1 === undefined) {
    if (input.password === undefined) throw new DigestError('digest-missing-secret', 'buildAuthorization needs a password or ha1');
    ha1 = computeHa1(algorithm, input.username, challenge.realm, input.password);
  }
  const needsCnonce = qop !== null || isSessionAlgorithm(algorithm);
  const cnonce = needsCnonce ? (input.cnonce ?? randomBytes(16).toString('hex')) : undefined;
  const nc = qop !== null ? formatNonceCount(input.nonceCount ?? 1) : undefined;
  const response = computeResponse({ algorithm, ha1, nonce: challenge.nonce, method: input.method, uri: input.uri, qop, cnonce, nc, body: input.body });
  const username = challenge.userhash ? digestHex(algorithm, `${input.username}:${challenge.realm}`) : input.username;

  const params: Record<string, string> = { username, realm: challenge.realm, nonce: challenge.nonce, uri: input.uri, response };
  const parts = [
    `username=${quoteString(username)}`,
    `realm=${quoteString(challenge.realm)}`,
    `nonce=${quoteString(challenge.nonce)}`,
    `uri=${quoteString(input.uri)}`,
    `response=${quoteString(response)}`,
  ];
  if (challenge.algorithmOffered !== undefined) {
    parts.push(`algorithm=${challenge.algorithmOffered}`);
    params.algorithm = challenge.algorithmOffered;
  }
  if (cnonce !== undefined) {
    parts.push(`cnonce=${quoteString(cnonce)}`);
    params.cnonce = cnonce;
  }
  if (challenge.opaque !== undefined) {
    parts.push(`opaque=${quoteString(challenge.opaque)}`);
    params.opaque = challenge.opaque;
  }
  if (qop !== null) {
    // RFC 7616 §3.4: qop and nc are unquoted.
    parts.push(`qop=${qop}`, `nc=${nc}`);
    params.qop = qop;
    params.nc = nc!;
  }
  if (challenge.userhash) {
    parts.push('userhash=true');
    params.userhash = 'true';
  }
  const credentials: DigestCredentials = { username, realm: challenge.realm, nonce: challenge.nonce, uri: input.uri, response, userhash: challenge.userhash, params };
  for (const optional of ['algorithm', 'cnonce', 'nc', 'qop', 'opaque'] as const) {
    if (params[optional] !== undefined) credentials[optional] = params[optional];
  }
  return {
    header: challenge.header === 'proxy-authenticate' ? 'proxy-authorization' : 'authorization',
    value: `Digest ${parts.join(', ')}`,
    params: credentials,
  };
}

/**
 * Counts requests per nonce for the nc parameter (RFC 7616 §3.4: nc counts requests sent with the same nonce).
 * `next(nonce)` returns 1 for a new nonce and increments for a repeated one; a new nonce resets the count.
 */
export class NonceCounter {
  private nonce: string | undefined;
  private count = 0;
  next(nonce: string): number {
    if (nonce !== this.nonce) {
      this.nonce = nonce;
      this.count = 0;
    }
    this.count = this.count >= 0xffffffff ? 1 : this.count + 1;
    return this.count;
  }
}
