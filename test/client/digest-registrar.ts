/**
 * A registrar for tests, as an Answer for sip-peer.ts: 401 (or 407 first) until credentials valid for the current
 * nonce arrive (checked with the project's digest verifier), then 200 listing the Contact. Scripted stale rounds
 * and a 403 mode.
 */
import { getHeader, getHeaders, type SipRequest } from '../../src/sip/index.js';
import { parseAuthorization, verifyAuthorization } from '../../src/sip/digest/index.js';
import type { Answer, Reply } from './sip-peer.js';

export const PASSWORD = 's3cret-Pass';
export const REALM = 'realm-from-challenge.test';

export interface RegistrarScript {
  /** WWW-Authenticate values of each 401 (nonce numbered by round). */
  challenge?: (round: number) => string[];
  /** Header for challenges: 401 WWW-Authenticate (default) or 407 Proxy-Authenticate. */
  proxyFirst?: boolean;
  staleRounds?: number;
  forbid?: boolean;
  password?: string;
  /** Same nonce for every challenge (many clients at once, as in load mode). */
  fixedNonce?: boolean;
}

function checkCredentials(request: SipRequest, header: 'authorization' | 'proxy-authorization', nonce: string, password: string): boolean {
  const value = getHeaders(request, header)[0];
  if (!value) return false;
  const credentials = parseAuthorization(value, header);
  return verifyAuthorization(credentials, { method: request.method, uri: request.uri, realm: credentials.realm, password, expectedNonce: nonce }).ok;
}

/** A registrar: 401 until valid credentials for the current nonce arrive, then 200 listing the Contact. */
export function registrar(script: RegistrarScript = {}): Answer {
  let round = 0;
  let staleLeft = script.staleRounds ?? 0;
  const challenge = script.challenge ?? ((n: number) => [`Digest realm="${REALM}", nonce="nonce-${n}", qop="auth", algorithm=MD5`]);
  let proxyPassed = !script.proxyFirst;
  const password = script.password ?? PASSWORD;
  return (request) => {
    if (script.forbid) return { status: 403, reason: 'Forbidden' };
    const nonce = `nonce-${round}`;
    if (!proxyPassed) {
      if (checkCredentials(request, 'proxy-authorization', nonce, password)) {
        proxyPassed = true;
      } else {
        return { status: 407, reason: 'Proxy Authentication Required', headers: [['Proxy-Authenticate', challenge(round).join(', ')]] };
      }
    }
    const ok = checkCredentials(request, 'authorization', nonce, password) || (script.proxyFirst && checkCredentials(request, 'authorization', `nonce-${round - 1}`, password));
    if (!ok || staleLeft > 0) {
      const stale = ok && staleLeft-- > 0;
      if (!script.fixedNonce) round++;
      const values = challenge(round).map((value) => (stale ? `${value}, stale=true` : value));
      return { status: 401, reason: 'Unauthorized', headers: values.map((value): [string, string] => ['WWW-Authenticate', value]) };
    }
    const contact = getHeader(request, 'contact');
    const headers: [string, string][] = [];
    if (contact && contact !== '*' && !/expires=0/.test(contact)) headers.push(['Contact', `${contact};expires=120`, ]);
    headers.push(['Contact', '<sip:other-device@192.0.2.9:5060>;expires=55']);
    return { status: 200, reason: 'OK', headers } satisfies Reply;
  };
}

