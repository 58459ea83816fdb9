/**
 * Digest authentication of requests to `sipscope serve` (RFC 3261 §22.4, RFC 7616, RFC 8760), through the
 * project's one verifier (src/sip/digest/verify.ts). Nonces are stateless (NonceIssuer: time stamp + HMAC), so a
 * flood of wrong answers costs no memory. Answers:
 * - no credentials for our realm, a wrong password, a nonce not ours -> challenge again (401);
 * - right password on an expired nonce -> 401 with stale=true (RFC 7616 §3.3);
 * - credentials naming a user we do not have, or one that was revoked -> 403 (as Kamailio's auth_db does).
 */
import { randomBytes } from 'node:crypto';
import {
  digestAlgorithmFromToken, NonceIssuer, parseAuthorization, verifyAuthorization, type DigestAlgorithm, type DigestCredentials,
} from '../sip/digest/index.js';
import { getHeaders, type SipRequest } from '../sip/index.js';
import type { UserStore } from './users.js';

export type AuthVerdict =
  | { kind: 'ok'; user: string; algorithm: DigestAlgorithm }
  | { kind: 'challenge'; stale: boolean; user?: string; why: string }
  | { kind: 'forbidden'; user: string; why: string };

export const SERVER_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];

export class DigestAuthenticator {
  private readonly nonces = new NonceIssuer({ secret: randomBytes(32), lifetimeMs: 300_000 });

  constructor(
    readonly realm: string,
    private readonly users: UserStore,
    /** Offered in this order (RFC 8760 §2.4: the preferred first); default MD5, which every peer speaks. */
    private readonly algorithms: readonly DigestAlgorithm[] = ['MD5'],
  ) {}

  /** WWW-Authenticate fields of a 401: one challenge per algorithm, one nonce for all (RFC 8760 §2.4). */
  challengeHeaders(stale: boolean): [string, string][] {
    const nonce = this.nonces.issue();
    return this.algorithms.map((algorithm): [string, string] => [
      'WWW-Authenticate',
      `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"${stale ? ', stale=true' : ''}`,
    ]);
  }

  check(request: SipRequest): AuthVerdict {
    const credentials = this.credentialsFor(request);
    if (!credentials) return { kind: 'challenge', stale: false, why: 'no credentials for our realm' };
    // "user@domain" names the account "user" (sipsak sends "bob@"; Kamailio's auth_db with use_domain=0 reads it so)
    const user = credentials.username.includes('@') ? credentials.username.slice(0, credentials.username.indexOf('@')) : credentials.username;
    const password = this.users.passwordOf(user);
    if (password === undefined) {
      return { kind: 'forbidden', user, why: this.users.isRevoked(user) ? 'credential revoked' : 'unknown user' };
    }
    const verdict = verifyAuthorization(credentials, {
      method: request.method,
      realm: this.realm,
      password,
      checkNonce: (nonce) => this.nonces.check(nonce),
      allowedAlgorithms: this.algorithms,
    });
    if (verdict.ok) return { kind: 'ok', user, algorithm: verdict.algorithm ?? digestAlgorithmFromToken(credentials.algorithm ?? 'MD5') ?? 'MD5' };
    return { kind: 'challenge', stale: verdict.reason === 'stale-nonce', user, why: verdict.reason };
  }

  /** The Authorization for our realm; a header that does not parse counts as none (the answer is a challenge). */
  private credentialsFor(request: SipRequest): DigestCredentials | undefined {
    for (const value of getHeaders(request, 'authorization')) {
      try {
        const credentials = parseAuthorization(value);
        if (credentials.realm === this.realm) return credentials;
      } catch {
        // not Digest, or malformed: look at the next one
      }
    }
    return undefined;
  }
}
