/**
 * Digest authentication of requests to `sipscope serve` (RFC 3261 §22.4, RFC 7616, RFC 8760), through the
 * project's one verifier (src/sip/digest/verify.ts). Nonces carry their time stamp and an HMAC (NonceIssuer); the
 * last `rememberedNonces` issued are also held with the highest nc accepted on each (NonceCountTable), so an answer
 * counts once (RFC 7616 §3.4: "if the same nc-value is seen twice, then the request is a replay"). Answers:
 * - no credentials for our realm, a wrong password, a nonce not ours -> challenge again (401);
 * - an answer without qop, or with one we did not offer -> 401 (RFC 7616 §3.4: qop "MUST be one of the alternatives
 *   the server indicated"; RFC 3261 §22.4 item 8: a client that received qop MUST send it, and servers MUST send
 *   it; that item keeps qop optional to receive only for RFC 2069 clients, which serve does not serve);
 * - an nc not above the highest accepted on that nonce (a replay) -> 401 without stale: the nonce itself is valid,
 *   and RFC 7616 §3.3 says to set stale only "if it receives a request for which the nonce is invalid";
 * - right password on an expired nonce, or on one pushed out of the table -> 401 with stale=true (RFC 7616 §3.3);
 * - a `uri` parameter that is not the Request-URI -> 400 (RFC 7616 §3.4.6: "the server SHOULD return a 400 Bad
 *   Request error"). RFC 3261 §22.4 item 6 lets a SIP UAS tolerate a mismatch (a proxy may have re-targeted the
 *   request); serve is reached directly, so it checks. One other form is taken: sip:ADDRESS:PORT of
 *   the socket the request arrived on, which is what SIPp sends by default ("By default, the URI is composed of
 *   remote_ip:remote_port", sipp -h on -auth_uri) and cannot be made to match in-dialog Request-URIs;
 * - credentials naming a user we do not have, or one that was revoked -> 403 (as Kamailio's auth_db does).
 */
import { randomBytes } from 'node:crypto';
import {
  digestAlgorithmFromToken, NonceCountTable, NonceIssuer, parseAuthorization, verifyAuthorization, type DigestAlgorithm, type DigestCredentials, type DigestQop,
} from '../sip/digest/index.js';
import { getHeaders, type SipRequest } from '../sip/index.js';
import type { UserStore } from './users.js';

export type AuthVerdict =
  | { kind: 'ok'; user: string; algorithm: DigestAlgorithm }
  | { kind: 'challenge'; stale: boolean; user?: string; why: string }
  | { kind: 'forbidden'; user: string; why: string }
  | { kind: 'bad-request'; user: string; why: string };

/** The qop every challenge offers; an answer must use it (RFC 7616 §3.4). */
const OFFERED_QOP: readonly DigestQop[] = ['auth'];

export const SERVER_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-512-256', 'SHA-256', 'MD5'];

/** Nonces held with their nc: about 170 bytes each on the heap (3.4 MB measured with the table full). */
export const REMEMBERED_NONCES = 20_000;

export interface DigestAuthenticatorOptions {
  /** How many issued nonces are held for nc replay checks (default REMEMBERED_NONCES); older ones answer stale. */
  rememberedNonces?: number;
}

export class DigestAuthenticator {
  private readonly nonces = new NonceIssuer({ secret: randomBytes(32), lifetimeMs: 300_000 });
  private readonly nonceCounts: NonceCountTable;

  constructor(
    readonly realm: string,
    private readonly users: UserStore,
    /** Offered in this order (RFC 8760 §2.4: the preferred first); default MD5, which every peer speaks. */
    private readonly algorithms: readonly DigestAlgorithm[] = ['MD5'],
    options: DigestAuthenticatorOptions = {},
  ) {
    this.nonceCounts = new NonceCountTable(options.rememberedNonces ?? REMEMBERED_NONCES);
  }

  /** How many issued nonces are held now (never more than the table's capacity). */
  get rememberedNonceCount(): number {
    return this.nonceCounts.size;
  }

  /** WWW-Authenticate fields of a 401: one challenge per algorithm, one nonce for all (RFC 8760 §2.4). */
  challengeHeaders(stale: boolean): [string, string][] {
    const nonce = this.nonces.issue();
    this.nonceCounts.remember(nonce);
    return this.algorithms.map((algorithm): [string, string] => [
      'WWW-Authenticate',
      `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${algorithm}, qop="${OFFERED_QOP.join(',')}"${stale ? ', stale=true' : ''}`,
    ]);
  }

  /** `receivedOn`: the local socket the request arrived on (its sip: URI is taken as `uri` too, see above). */
  check(request: SipRequest, receivedOn?: { address: string; port: number }): AuthVerdict {
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
      uri: receivedOn !== undefined && credentials.uri === socketUri(request.uri, receivedOn) ? credentials.uri : request.uri,
      // ours and unexpired but no longer held: its nc cannot be checked, so it is stale (a fresh nonce, same password)
      checkNonce: (nonce) => {
        const state = this.nonces.check(nonce);
        return state === 'valid' && this.nonceCounts.lastCount(nonce) === undefined ? 'stale' : state;
      },
      lastNonceCount: this.nonceCounts.lastCount(credentials.nonce),
      allowedAlgorithms: this.algorithms,
      offeredQop: OFFERED_QOP,
    });
    if (verdict.ok) {
      this.nonceCounts.accept(credentials.nonce, verdict.nonceCount ?? 0);
      return { kind: 'ok', user, algorithm: verdict.algorithm ?? digestAlgorithmFromToken(credentials.algorithm ?? 'MD5') ?? 'MD5' };
    }
    if (verdict.reason === 'uri-mismatch') return { kind: 'bad-request', user, why: 'Authorization uri is not the Request-URI' };
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

/** sip:ADDRESS:PORT (sips: for a sips Request-URI) of a local socket, the IPv6 address in brackets (RFC 3261 §25.1). */
function socketUri(requestUri: string, socket: { address: string; port: number }): string {
  const scheme = requestUri.toLowerCase().startsWith('sips:') ? 'sips' : 'sip';
  const host = socket.address.includes(':') ? `[${socket.address}]` : socket.address;
  return `${scheme}:${host}:${socket.port}`;
}
